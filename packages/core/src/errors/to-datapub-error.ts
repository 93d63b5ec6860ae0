import { DatapubError, isDatapubError } from './datapub-error.js'

/**
 * Normalises anything thrown into a DatapubError. Aborts become ABORTED; everything unknown is
 * INTERNAL with the original kept as `cause` (never printed to users, only with --debug).
 */
export function toDatapubError(error: unknown): DatapubError {
  if (isDatapubError(error)) return error
  if (error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR')) {
    return new DatapubError('ABORTED', 'The operation was cancelled.', { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new DatapubError('INTERNAL', `Unexpected failure: ${message}`, {
    cause: error,
    hint: 'This is a bug in datapub or a plugin; rerun with --debug and report it.',
  })
}
