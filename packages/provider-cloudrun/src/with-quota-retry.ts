import { withRetry } from '@datapub/core/kit'
import { isRetryable, mapGoogleError } from './cloudrun-error.js'

export interface RetryOptions {
  retries?: number
  baseDelayMs?: number
}

/**
 * Runs a Google API call, sending it again with backoff on RESOURCE_EXHAUSTED and UNAVAILABLE
 * (the request was refused, not carried out), and maps the final failure.
 */
export async function withQuotaRetry<T>(what: string, call: () => Promise<T>, signal: AbortSignal, options: RetryOptions = {}): Promise<T> {
  try {
    return await withRetry(call, { retries: options.retries ?? 4, minDelayMs: options.baseDelayMs ?? 500, maxDelayMs: 20_000, signal, retryable: isRetryable })
  } catch (error) {
    throw mapGoogleError(error, what)
  }
}
