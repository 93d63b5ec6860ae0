import { setTimeout as sleep } from 'node:timers/promises'
import { isRetryable, mapGoogleError } from './cloudrun-error.js'

export interface RetryOptions {
  retries?: number
  baseDelayMs?: number
  signal?: AbortSignal
}

/**
 * Runs a Google API call, sending it again with exponential backoff on RESOURCE_EXHAUSTED and
 * UNAVAILABLE (the request was refused, not carried out), and maps the final failure.
 */
export async function withQuotaRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4
  const base = options.baseDelayMs ?? 500
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw mapGoogleError(error, what)
      const delay = Math.min(base * 2 ** attempt, 20_000) * (0.75 + Math.random() / 2)
      await sleep(delay, undefined, options.signal === undefined ? undefined : { signal: options.signal })
    }
  }
}
