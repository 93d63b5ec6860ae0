import { HttpError } from './http-error.js'
import { redactText } from './redact.js'
import { retryAfterMs } from './retry-after-ms.js'

export interface HttpFailure {
  method: string
  url: string
  /** Prefixes the code: `HEROKU` → `HEROKU_HTTP_503`; and names the provider on the error. */
  provider?: string
  /** Absent when no answer came. */
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** The transport's error code when no answer came (ECONNRESET, ETIMEDOUT...). */
  networkCode?: string
  /** What went wrong when no answer came, if there is no code. */
  networkMessage?: string
  cause?: unknown
}

const NETWORK_RETRYABLE = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ECONNREFUSED'])
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504])
const USER_STATUS = new Set([400, 401, 402, 403, 404, 409, 422])

/**
 * The HttpError of one failed exchange, the same whichever transport carried it (core's axios
 * client, an SDK such as heroku-client): code `<PROVIDER>_HTTP_<status>`, or HTTP_TIMEOUT /
 * HTTP_ERROR when nothing came back; 429 and 5xx retryable; the host's wait hint read.
 */
export function createHttpError(failure: HttpFailure): HttpError {
  const method = failure.method.toUpperCase()
  const url = redactText(failure.url)
  const owner = failure.provider === undefined ? {} : { provider: failure.provider }
  const cause = failure.cause === undefined ? {} : { cause: failure.cause }
  if (failure.status === undefined) {
    const code = failure.networkCode
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT'
    return new HttpError(timedOut ? 'HTTP_TIMEOUT' : 'HTTP_ERROR', `${method} ${url} failed: ${timedOut ? 'timed out' : (code ?? failure.networkMessage ?? 'no answer')}.`, {
      ...owner,
      ...cause,
      fault: 'host',
      hint: 'Check the network and the API URL, then retry.',
      details: { method, url, code },
      method,
      url,
      retryable: code !== undefined && NETWORK_RETRYABLE.has(code),
    })
  }
  const status = failure.status
  const prefix = failure.provider === undefined ? 'HTTP' : `${failure.provider.toUpperCase().replace(/-/g, '_')}_HTTP`
  const headers = failure.headers ?? {}
  const detail = messageOf(failure.body)
  const wait = retryAfterMs(headers)
  const hint = status === 401 || status === 403 ? 'Check the token or credentials and their permissions.' : status === 429 ? 'The host is rate limiting; wait and retry.' : undefined
  return new HttpError(`${prefix}_${status}`, `${method} ${url} answered ${status}${detail ? `: ${detail}` : ''}.`, {
    ...owner,
    ...cause,
    fault: USER_STATUS.has(status) ? 'user' : 'host',
    ...(hint === undefined ? {} : { hint }),
    details: { method, url, status, body: typeof failure.body === 'object' ? failure.body : undefined },
    method,
    url,
    status,
    response: { status, headers, body: failure.body },
    retryable: RETRYABLE_STATUS.has(status),
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  })
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300)
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as Record<string, unknown>
  const err = (b.error ?? b) as Record<string, unknown> | string
  if (typeof err === 'string') return err
  const message = err.message ?? b.message ?? b.id
  return typeof message === 'string' ? message : undefined
}
