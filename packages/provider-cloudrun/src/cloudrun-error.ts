import { DatapubError, isDatapubError, isHttpError, type Fault } from '@datapub/core/kit'

/** gRPC status codes, as google-gax reports them on REST errors too. */
const CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const
const STATUS_NAMES: Record<string, number> = Object.fromEntries(Object.entries(CODE))
const HTTP_TO_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 503: 14 }

export function cloudrunError(code: string, message: string, fault: Fault, hint: string, cause?: unknown, details?: Record<string, unknown>): DatapubError {
  return new DatapubError(code, message, { fault, hint, provider: 'cloudrun', ...(cause === undefined ? {} : { cause }), ...(details === undefined ? {} : { details }) })
}

interface GoogleFacts {
  code: number | undefined
  message: string
  reason: string | undefined
}

/** Reads a google-gax GoogleError, a core HTTP error carrying a Google error body, or anything else. */
export function googleFacts(error: unknown): GoogleFacts {
  if (isDatapubError(error)) {
    const response = isHttpError(error) ? error.response : undefined
    const body = (response?.body as { error?: { code?: number; status?: string; message?: string; details?: Array<{ reason?: string }> } } | undefined)?.error
    const status = response?.status
    const code = (body?.status === undefined ? undefined : STATUS_NAMES[body.status]) ?? (status === undefined ? undefined : HTTP_TO_CODE[status])
    return { code, message: body?.message ?? error.message, reason: body?.details?.find((d) => typeof d.reason === 'string')?.reason }
  }
  const e = error as { code?: unknown; message?: unknown; reason?: unknown; httpStatusCode?: unknown; status?: unknown; response?: unknown } | undefined
  // google-gax 5 passes REST failures through as gaxios errors: `code` is then the HTTP status and
  // the message is Google's JSON error body, not a gRPC code and text.
  if (typeof e?.status === 'number' && e.response !== undefined) {
    const body = parseGoogleBody(e.message)
    const code = (body?.status === undefined ? undefined : STATUS_NAMES[body.status]) ?? HTTP_TO_CODE[e.status]
    return { code, message: body?.message ?? (typeof e.message === 'string' ? e.message : `HTTP ${e.status}`), reason: body?.details?.find((d) => typeof d.reason === 'string')?.reason }
  }
  const code = typeof e?.code === 'number' ? e.code : typeof e?.httpStatusCode === 'number' ? HTTP_TO_CODE[e.httpStatusCode] : undefined
  return { code, message: typeof e?.message === 'string' ? e.message : String(error), reason: typeof e?.reason === 'string' ? e.reason : undefined }
}

function parseGoogleBody(message: unknown): { status?: string; message?: string; details?: Array<{ reason?: string }> } | undefined {
  if (typeof message !== 'string' || !message.startsWith('{')) return undefined
  try {
    return (JSON.parse(message) as { error?: { status?: string; message?: string; details?: Array<{ reason?: string }> } }).error
  } catch {
    return undefined
  }
}

export function isNotFound(error: unknown): boolean {
  return googleFacts(error).code === CODE.NOT_FOUND
}

export function isConflict(error: unknown): boolean {
  const code = googleFacts(error).code
  return code === CODE.ALREADY_EXISTS || code === CODE.ABORTED
}

/** Quota and transient unavailability: the request was not carried out, so sending it again is safe. */
export function isRetryable(error: unknown): boolean {
  const code = googleFacts(error).code
  return code === CODE.RESOURCE_EXHAUSTED || code === CODE.UNAVAILABLE
}

/**
 * How long the host asked us to wait, from a google.rpc.RetryInfo detail (`retryDelay`, as
 * "1.5s" in JSON or {seconds, nanos} once decoded) or a Retry-After header on the error.
 */
export function googleRetryAfterMs(error: unknown): number | undefined {
  const e = error as { statusDetails?: unknown[]; details?: unknown; metadata?: { get?(key: string): unknown[] }; response?: { headers?: Record<string, string> } } | undefined
  const details = [...(Array.isArray(e?.statusDetails) ? e.statusDetails : []), ...(Array.isArray(e?.details) ? e.details : [])]
  for (const detail of details) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay
    if (typeof delay === 'string' && /^\d+(\.\d+)?s$/.test(delay)) return Math.round(Number(delay.slice(0, -1)) * 1000)
    if (typeof delay === 'object' && delay !== null) {
      const { seconds, nanos } = delay as { seconds?: unknown; nanos?: unknown }
      return Math.round(Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6)
    }
  }
  const header = e?.response?.headers?.['retry-after']
  if (header !== undefined && /^\d+$/.test(header)) return Number(header) * 1000
  return undefined
}

/** Maps a Google API failure to a coded error with a hint; `what` names the call for the message. */
export function mapGoogleError(error: unknown, what: string, api = 'Cloud Run Admin API'): DatapubError {
  if (isDatapubError(error) && !String(error.code).includes('_HTTP_') && error.code !== 'HTTP_ERROR') return error
  const { code, message, reason } = googleFacts(error)
  const text = `${what} failed: ${message.replace(/^\d+ [A-Z_]+: /, '')}`
  if (reason === 'SERVICE_DISABLED' || /has not been used in project|it is disabled/i.test(message)) {
    return cloudrunError('CLOUDRUN_API_DISABLED', text, 'user', `Enable the ${api} for the project (gcloud services enable ${api === 'Artifact Registry API' ? 'artifactregistry' : 'run'}.googleapis.com), wait a minute, and retry.`, error)
  }
  switch (code) {
    case CODE.UNAUTHENTICATED:
      return cloudrunError('CLOUDRUN_AUTH_INVALID', text, 'user', 'Refresh the credentials: `gcloud auth application-default login`, or point --key-file / GOOGLE_APPLICATION_CREDENTIALS at a valid key.', error)
    case CODE.PERMISSION_DENIED:
      return cloudrunError('CLOUDRUN_PERMISSION_DENIED', text, 'user', 'Grant the account roles/run.admin, roles/iam.serviceAccountUser and roles/artifactregistry.writer on the project, or check --project.', error)
    case CODE.RESOURCE_EXHAUSTED:
      return cloudrunError('CLOUDRUN_QUOTA_EXCEEDED', text, 'user', 'A Google Cloud quota or rate limit was hit; wait a minute, or request more quota in the console.', error)
    case CODE.INVALID_ARGUMENT:
      return cloudrunError('CLOUDRUN_INVALID_ARGUMENT', text, 'user', 'Check the Cloud Run options (memory, cpu, instances, labels, env names) against the message.', error)
    case CODE.ALREADY_EXISTS:
    case CODE.ABORTED:
      return cloudrunError('CLOUDRUN_CONFLICT', text, 'user', 'Another change to this resource is in progress; wait for it to finish and retry.', error)
    case CODE.FAILED_PRECONDITION:
      return cloudrunError('CLOUDRUN_FAILED_PRECONDITION', text, 'user', 'The project or resource is not in a state that allows this; read the message for what to change.', error)
    case CODE.NOT_FOUND:
      return cloudrunError('CLOUDRUN_NOT_FOUND', text, 'user', 'Check --project, --region and the service name.', error)
    default:
      return cloudrunError('CLOUDRUN_API_ERROR', text, 'host', 'Google Cloud returned an unexpected error; retry later.', error)
  }
}
