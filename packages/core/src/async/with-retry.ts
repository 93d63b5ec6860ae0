import { abortedError } from './aborted-error.js'
import { backoffDelay } from './backoff-delay.js'
import { sleep } from './sleep.js'

export interface WithRetryOptions {
  /** Extra attempts after the first (default 4). */
  retries?: number
  /** Shortest pause before a new attempt (default 250 ms). */
  minDelayMs?: number
  /** Longest pause (default 20 s). A host hint asking for longer ends the retries instead: the caller said it would not wait that long. */
  maxDelayMs?: number
  signal?: AbortSignal
  /** Whether an error is worth another attempt. Default: the error says so itself (`retryable: true`, as HttpError does). */
  retryable?(error: unknown, attempt: number): boolean
  /** Reads the host's wait hint off an error (default: its `retryAfterMs`), for hosts that put the reset in the body. */
  retryAfterMs?(error: unknown): number | undefined
  /** Told before each pause, e.g. to emit a "rate limited, retrying in 3 s" event. */
  onRetry?(state: { attempt: number; delayMs: number; error: unknown }): void
  /** For tests: the jitter source (default Math.random). */
  random?: () => number
}

/**
 * Calls `fn` until it succeeds, retrying what `retryable` allows with exponential backoff and
 * jitter. When the error carries the host's own hint (`retryAfterMs`, read by HttpError from
 * Retry-After or X-RateLimit-Reset), that wait wins over the backoff, as octokit's plugin-retry does.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: WithRetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4
  const minDelayMs = options.minDelayMs ?? 250
  const maxDelayMs = options.maxDelayMs ?? 20_000
  const retryable = options.retryable ?? selfDeclaredRetryable
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortedError(options.signal)
    try {
      return await fn(attempt)
    } catch (error) {
      if (options.signal?.aborted) throw abortedError(options.signal)
      if (attempt > retries || !retryable(error, attempt)) throw error
      const hint = (options.retryAfterMs ?? retryAfterMsOf)(error)
      if (hint !== undefined && hint > maxDelayMs) throw error
      const delayMs = hint ?? backoffDelay(attempt, minDelayMs, maxDelayMs, options.random)
      options.onRetry?.({ attempt, delayMs, error })
      await sleep(delayMs, options.signal)
    }
  }
}

function selfDeclaredRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true
}

function retryAfterMsOf(error: unknown): number | undefined {
  const value = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}
