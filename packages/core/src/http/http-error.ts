import { DatapubError, type DatapubErrorOptions } from '../errors/datapub-error.js'
import type { ErrorCode } from '../errors/error-codes.js'
import { redactText, redactValue } from './redact.js'

const HTTP_BRAND = Symbol.for('datapub.http-error')

/** What the host answered, kept off the enumerable surface so it never lands in a log or a --json line by accident. */
export interface HttpResponse<T = unknown> {
  status: number
  /** Lower-case names; secret-looking values masked. */
  headers: Record<string, string>
  body: T
}

export interface HttpErrorInit extends Omit<DatapubErrorOptions, 'details'> {
  method: string
  /** Redacted on construction. */
  url: string
  /** Absent when no answer came (connection refused, timeout). */
  status?: number
  response?: HttpResponse
  /** Whether sending the same request again may succeed (429, 5xx, a dropped connection). */
  retryable: boolean
  /** The wait the host asked for (Retry-After, X-RateLimit-Reset). */
  retryAfterMs?: number
  details?: Record<string, unknown>
}

/**
 * A failed HTTP exchange, typed: status, method and a redacted URL for programs, the host's
 * response for providers' error tables, and whether a retry may help (octokit's RequestError,
 * go-containerregistry's transport.Error). Still a DatapubError with a stable code.
 */
export class HttpError extends DatapubError {
  readonly status: number | undefined
  readonly method: string
  readonly url: string
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  declare readonly response: HttpResponse | undefined

  constructor(code: ErrorCode, message: string, init: HttpErrorInit) {
    const { method, url, status, response, retryable, retryAfterMs, ...options } = init
    super(code, message, options)
    this.method = method.toUpperCase()
    this.url = redactText(url)
    this.status = status
    this.retryable = retryable
    this.retryAfterMs = retryAfterMs
    const kept = response === undefined ? undefined : { status: response.status, headers: redactValue(response.headers), body: redactValue(response.body) }
    Object.defineProperty(this, 'response', { value: kept, enumerable: false })
    Object.defineProperty(this, HTTP_BRAND, { value: true })
  }
}

/** Brand check, not instanceof: a plugin may resolve its own copy of core. */
export function isHttpError(value: unknown): value is HttpError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[HTTP_BRAND] === true
}
