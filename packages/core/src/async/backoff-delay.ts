/**
 * Exponential backoff with jitter, as aws-sdk-js-v3's util-waiter draws it: attempt n waits a
 * random time between `minDelayMs` and min(maxDelayMs, minDelayMs * 2^(n-1)). The jitter keeps
 * many clients that failed together from coming back together.
 */
export function backoffDelay(attempt: number, minDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const min = Math.max(0, minDelayMs)
  const max = Math.max(min, maxDelayMs)
  // 2^(n-1) overflows to Infinity long before it matters; the cap keeps it finite.
  const ceiling = Math.min(max, min * 2 ** Math.max(0, attempt - 1))
  return Math.round(min + random() * (ceiling - min))
}
