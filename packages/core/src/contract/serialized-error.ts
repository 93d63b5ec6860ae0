/** Who must act on an error: the user (bad input, missing auth), the host (outage) or us (a bug). */
export type Fault = 'user' | 'host' | 'internal'

/** The serialisable form of a DatapubError, as `--json`, events and the publisher app carry it. */
export interface SerializedError {
  name: string
  code: string
  fault: Fault
  message: string
  hint?: string
  path?: string
  provider?: string
  details?: Record<string, unknown>
}
