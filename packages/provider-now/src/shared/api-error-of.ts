import { isDatapubError } from '@datapub/core/kit'

export interface ApiError {
  status?: number
  code?: string
  message?: string
  /** The `error` object of the body (`{error:{code, message, ...}}`, or `err` on old endpoints). */
  error: Record<string, unknown>
}

/** Reads status and the host's error body out of the DatapubError core's http client throws. */
export function apiErrorOf(value: unknown): ApiError | undefined {
  if (!isDatapubError(value)) return undefined
  const details = value.details ?? {}
  const status = typeof details.status === 'number' ? details.status : undefined
  const body = (details.body ?? {}) as Record<string, unknown>
  const raw = body.error ?? body.err
  const error = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  return {
    ...(status === undefined ? {} : { status }),
    ...(typeof error.code === 'string' ? { code: error.code } : {}),
    ...(typeof error.message === 'string' ? { message: error.message } : {}),
    error,
  }
}
