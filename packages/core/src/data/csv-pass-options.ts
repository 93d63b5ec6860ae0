/** What every pass over a CSV file takes: whether bad rows are skipped, the abort signal, and byte progress. */
export interface CsvPassOptions {
  skipErrors: boolean
  signal?: AbortSignal | undefined
  onBytes?(bytes: number): void
}
