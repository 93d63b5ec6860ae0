import { ERROR_CODES, type ErrorCode, type Fault } from './error-codes.js'
import { redactText, redactValue } from '../http/redact.js'
import type { SerializedError } from '../contract/serialized-error.js'

const BRAND = Symbol.for('datapub.error')

export interface DatapubErrorOptions {
  /** Who must act: the user (bad input, missing auth), the host (outage) or us (a bug). */
  fault?: Fault
  /** What to do about it, one sentence. */
  hint?: string
  cause?: unknown
  /** Dot-path of the offending input field, e.g. `static[1]` or `options.memory`. */
  path?: string
  provider?: string
  /** Small, already-redacted facts for programs (status code, file, line ...). */
  details?: Record<string, unknown>
}

/**
 * The one error type datapub throws. Messages and hints are redacted on construction, so a
 * token that slipped into a message never reaches a log, a terminal or an NDJSON stream.
 */
export class DatapubError extends Error {
  override readonly name = 'DatapubError'
  readonly code: ErrorCode
  readonly fault: Fault
  readonly hint: string | undefined
  readonly path: string | undefined
  readonly provider: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: DatapubErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.fault = options.fault ?? (ERROR_CODES as Record<string, Fault>)[code] ?? 'host'
    this.hint = options.hint === undefined ? undefined : redactText(options.hint)
    this.path = options.path
    this.provider = options.provider
    this.details = options.details === undefined ? undefined : redactValue(options.details)
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** The serialisable form used by `--json`, events and the publisher app. Never the cause's internals. */
  toJSON(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      fault: this.fault,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.provider === undefined ? {} : { provider: this.provider }),
      ...(this.details === undefined ? {} : { details: this.details }),
    }
  }
}


/** Brand check, not instanceof: a plugin may resolve its own copy of core. */
export function isDatapubError(value: unknown): value is DatapubError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}
