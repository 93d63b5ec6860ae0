import { withRetry } from '@datapub/core/kit'
import { googleRetryAfterMs, isRetryable, mapGoogleError } from './cloudrun-error.js'

export interface RetryOptions {
  retries?: number
  baseDelayMs?: number
}

/**
 * Runs a Google API call, sending it again with backoff on RESOURCE_EXHAUSTED and UNAVAILABLE
 * (the request was refused, not carried out), and maps the final failure. The host's own hint
 * (RetryInfo's retryDelay, or Retry-After) sets the wait when it gives one.
 */
export async function withQuotaRetry<T>(what: string, call: () => Promise<T>, signal: AbortSignal, options: RetryOptions = {}): Promise<T> {
  const hinted = () =>
    call().catch((error: unknown) => {
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
