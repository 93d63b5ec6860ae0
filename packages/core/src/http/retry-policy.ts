import type { AxiosError } from 'axios'
import type { RetryPolicy } from '../contract/http-client-factory.js'

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 20_000 }

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ECONNREFUSED'])

export function isRetryable(error: AxiosError): boolean {
  const status = error.response?.status
  if (status === undefined) return error.code !== undefined && RETRYABLE_CODES.has(error.code)
  return status === 429 || status === 502 || status === 503 || status === 504 || status === 500
}

/** Retry-After (seconds or an HTTP date) wins; otherwise exponential backoff with full jitter. */
export function retryDelayMs(attempt: number, retryAfter: string | undefined, policy: RetryPolicy, now = Date.now()): number {
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.min(Math.max(date - now, 0), policy.maxDelayMs)
  }
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs)
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}
