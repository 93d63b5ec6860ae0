import { DatapubError, isDatapubError } from '../errors/datapub-error.js'

/**
 * The error a cancelled wait rejects with. A reason that is already coded (a caller that aborts
 * with its own DatapubError) is kept, so the code the user sees is the one that explains why.
 */
export function abortedError(signal: AbortSignal | undefined): DatapubError {
  const reason: unknown = signal?.reason
  if (isDatapubError(reason)) return reason
  return new DatapubError('ABORTED', 'The operation was cancelled.', reason === undefined ? {} : { cause: reason })
}
