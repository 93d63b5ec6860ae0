/** Bytes as megabytes with one decimal, for progress messages. */
export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
