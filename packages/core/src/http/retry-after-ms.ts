/**
 * The wait a host asked for, in ms, or undefined when it named none. `Retry-After` is seconds or
 * an HTTP date (RFC 9110); `X-RateLimit-Reset` is the epoch second the window reopens (GitHub,
 * Vercel), or, as a small number, seconds from now (the form some hosts use).
 */
export function retryAfterMs(headers: Readonly<Record<string, string | undefined>>, now: number = Date.now()): number | undefined {
  const retryAfter = headers['retry-after']?.trim()
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  const reset = headers['x-ratelimit-reset']?.trim()
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset)
    // Epoch seconds are above 1e9 since 2001; anything smaller is a relative wait.
    return value > 1e9 ? Math.max(0, Math.round(value * 1000 - now)) : Math.round(value * 1000)
  }
  return undefined
}
