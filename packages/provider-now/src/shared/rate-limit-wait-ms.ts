import { apiErrorOf } from './api-error-of.js'

/**
 * How long until the host takes the request a 429 refused, from the reset its body names, or
 * undefined when it must not be repeated (not a 429, `builds_rate_limited`, no reset named).
 * `error.limit.reset` is epoch seconds (Now 11.5+); `resetMs` is epoch milliseconds (Vercel).
 */
export function rateLimitWaitMs(error: unknown, now: number): number | undefined {
  const api = apiErrorOf(error)
  if (api?.status !== 429 || api.code === 'builds_rate_limited') return undefined
  const limit = (api.error.limit ?? {}) as { reset?: unknown; resetMs?: unknown }
  const resetAt = typeof limit.resetMs === 'number' ? limit.resetMs : typeof limit.reset === 'number' ? limit.reset * 1000 : undefined
  return resetAt === undefined ? undefined : Math.max(0, resetAt - now)
}
