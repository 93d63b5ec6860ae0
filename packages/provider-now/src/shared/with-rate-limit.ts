import { withRetry, type Emit } from '@datapub/core/kit'
import { rateLimitWaitMs } from './rate-limit-wait-ms.js'

export interface RateLimitOptions {
  emit: Emit
  signal: AbortSignal
  maxWaitMs: number
  attempts?: number
  now?: () => number
}

/** Repeats a create the host rate limited once the reset it names comes (POSTs are not retried by core's client); a reset beyond `maxWaitMs` is not waited for. */
export function withRateLimit<T>(call: () => Promise<T>, options: RateLimitOptions): Promise<T> {
  const wait = (error: unknown) => rateLimitWaitMs(error, (options.now ?? Date.now)())
  return withRetry(call, {
    retries: (options.attempts ?? 3) - 1,
    maxDelayMs: options.maxWaitMs,
    signal: options.signal,
    retryable: (error) => wait(error) !== undefined,
    retryAfterMs: wait,
    onRetry: ({ delayMs }) => options.emit({ type: 'deploy:status', state: 'RATE_LIMITED', message: `rate limited; retrying in ${Math.ceil(delayMs / 1000)} s` }),
  })
}
