import { DatapubError } from '../errors/datapub-error.js'
import type { ErrorCode, Fault } from '../errors/error-codes.js'
import { isHttpError, type HttpError } from './http-error.js'

/** One row of a provider's error table: the coded error a status becomes. Strings may be functions of the error. */
export interface HttpErrorRule {
  code: ErrorCode | ((error: HttpError) => ErrorCode)
  message: string | ((error: HttpError) => string)
  hint?: string | ((error: HttpError) => string | undefined)
  fault?: Fault | ((error: HttpError) => Fault)
  /** Extra redacted facts for programs, merged over `{ status }`. */
  details?: (error: HttpError) => Record<string, unknown>
  /** Narrows the row, e.g. to one error code in the body; when false the next rule (or `default`) applies. */
  when?: (error: HttpError) => boolean
}

/** Status (or `default`) to a rule, several rules tried in order, or a function for anything odd. */
export type HttpErrorTable = Partial<Record<number | 'default', HttpErrorRule | HttpErrorRule[] | ((error: HttpError) => unknown)>>

/**
 * Turns an HttpError into the coded error a provider's table names for its status. Anything
 * else, and a status the table does not name, is returned unchanged: it is already coded and
 * redacted. Use as `throw mapHttpError(error, TABLE)`.
 */
export function mapHttpError(error: unknown, table: HttpErrorTable, options: { provider?: string } = {}): unknown {
  if (!isHttpError(error) || error.status === undefined) return error
  for (const entry of [table[error.status], table.default]) {
    if (entry === undefined) continue
    if (typeof entry === 'function') {
      const mapped = entry(error)
      if (mapped !== undefined) return mapped
      continue
    }
    const rule = (Array.isArray(entry) ? entry : [entry]).find((r) => r.when === undefined || r.when(error))
    if (rule !== undefined) return fromRule(error, rule, options.provider ?? error.provider)
  }
  return error
}

function fromRule(error: HttpError, rule: HttpErrorRule, provider: string | undefined): DatapubError {
  const message = typeof rule.message === 'function' ? rule.message(error) : rule.message
  const hint = typeof rule.hint === 'function' ? rule.hint(error) : rule.hint
  const fault = typeof rule.fault === 'function' ? rule.fault(error) : rule.fault
  return new DatapubError(typeof rule.code === 'function' ? rule.code(error) : rule.code, message, {
    cause: error,
    ...(fault === undefined ? {} : { fault }),
    ...(hint === undefined ? {} : { hint }),
    ...(provider === undefined ? {} : { provider }),
    details: { status: error.status, ...rule.details?.(error) },
  })
}
