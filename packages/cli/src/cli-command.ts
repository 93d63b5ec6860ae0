/** One `datapub` subcommand. Commands load lazily: `load()` imports the module only when it runs. */
export interface CliCommand {
  name: string
  summary: string
  usage: string
  /** Returns the process exit code (see exit-codes.ts). Throws DatapubError for coded failures. */
  run(argv: string[], io: CliIO): Promise<number>
}

export interface CliIO {
  stdout(text: string): void
  stderr(text: string): void
  /** `--json` was given: print NDJSON only on stdout. */
  json: boolean
  isTTY: boolean
  /** A person can answer questions: stdin and stderr are terminals and --json is off. */
  interactive?: boolean
  /** Asks a yes/no question on the terminal; only called when `interactive`. */
  confirm?(question: string): Promise<boolean>
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  signal: AbortSignal
}
