import { isHttpError } from '@datapub/core/kit'

export interface ApiError {
  status?: number
  code?: string
  message?: string
  /** The `error` object of the body (`{error:{code, message, ...}}`, or `err` on old endpoints). */
  error: Record<string, unknown>
}

/** Reads status and the host's error body out of the HttpError of a failed call. */
export function apiErrorOf(value: unknown): ApiError | undefined {
  if (!isHttpError(value)) return undefined
  const body = (value.response?.body ?? {}) as Record<string, unknown>
  const raw = typeof body === 'object' && body !== null ? (body.error ?? body.err) : undefined
  const error = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
  return {
    ...(value.status === undefined ? {} : { status: value.status }),
    ...(typeof error.code === 'string' ? { code: error.code } : {}),
    ...(typeof error.message === 'string' ? { message: error.message } : {}),
    error,
  }
}
