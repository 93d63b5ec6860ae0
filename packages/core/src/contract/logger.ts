/** Where providers and core write diagnostics; lines are redacted before they leave. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
}
