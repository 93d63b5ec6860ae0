import { abortable, DatapubError, withRetry } from '@datapub/core/kit'
import { googleRetryAfterMs, isRetryable, mapGoogleError } from './cloudrun-error.js'

export interface RetryOptions {
  retries?: number
  baseDelayMs?: number
  /** Deadline of one attempt: the client library's own timeouts do not end a call whose host stays silent. */
  callTimeoutMs?: number
}

const CALL_TIMEOUT_MS = 30_000

/**
 * Runs a Google API call, sending it again with backoff on RESOURCE_EXHAUSTED and UNAVAILABLE
 * (the request was refused, not carried out), and maps the final failure. The host's own hint
 * (RetryInfo's retryDelay, or Retry-After) sets the wait when it gives one.
 */
export async function withQuotaRetry<T>(what: string, call: () => Promise<T>, signal: AbortSignal, options: RetryOptions = {}): Promise<T> {
  const hinted = () =>
    withDeadline(call(), what, options.callTimeoutMs ?? CALL_TIMEOUT_MS, signal).catch((error: unknown) => {
      const wait = googleRetryAfterMs(error)
      if (wait !== undefined && typeof error === 'object' && error !== null) Object.assign(error, { retryAfterMs: wait })
      throw error
    })
  try {
    return await withRetry(hinted, { retries: options.retries ?? 6, minDelayMs: options.baseDelayMs ?? 500, maxDelayMs: 60_000, signal, retryable: isRetryable })
  } catch (error) {
    throw mapGoogleError(error, what)
  }
}

/** The call, or a coded host error once `ms` pass without an answer (never retried: a write may have landed). */
function withDeadline<T>(promise: Promise<T>, what: string, ms: number, signal: AbortSignal): Promise<T> {
  const deadline = new AbortController()
  const timer = setTimeout(() => {
    deadline.abort(new DatapubError('CLOUDRUN_API_ERROR', `${what}: the Cloud Run API did not answer within ${Math.round(ms / 1000)} s.`, { fault: 'host', hint: 'Check your network or proxy, then retry; a change may still have been applied.' }))
  }, ms)
  return abortable(promise, AbortSignal.any([signal, deadline.signal])).finally(() => clearTimeout(timer))
}
