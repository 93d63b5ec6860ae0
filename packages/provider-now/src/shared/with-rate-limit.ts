import type { Emit } from '@datapub/core/kit'
import { rateLimitWaitMs } from './rate-limit-wait-ms.js'
import { sleep } from './sleep.js'

export interface RateLimitOptions {
  emit: Emit
  signal?: AbortSignal
  maxWaitMs: number
  attempts?: number
  now?: () => number
}

/** Repeats `call` after the reset time a 429 names (POSTs are not retried by core's client). */
export async function withRateLimit<T>(call: () => Promise<T>, options: RateLimitOptions): Promise<T> {
  const attempts = options.attempts ?? 3
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const wait = attempt < attempts ? rateLimitWaitMs(error, (options.now ?? Date.now)(), options.maxWaitMs) : undefined
      if (wait === undefined) throw error
      options.emit({ type: 'deploy:status', state: 'RATE_LIMITED', message: `rate limited; retrying in ${Math.ceil(wait / 1000)} s` })
      await sleep(wait, options.signal)
    }
  }
}
