import { describe, expect, it } from 'vitest'
import { withRetry } from '../../src/async/with-retry.js'

const flaky = (extra: Record<string, unknown> = {}) => Object.assign(new Error('busy'), { retryable: true }, extra)

describe('withRetry', () => {
  it('retries errors that say they are retryable, then returns', async () => {
    const attempts: number[] = []
    const value = await withRetry(async (attempt) => {
      attempts.push(attempt)
      if (attempt < 3) throw flaky()
      return 'ok'
    }, { minDelayMs: 1, maxDelayMs: 2 })
    expect(value).toBe('ok')
    expect(attempts).toEqual([1, 2, 3])
  })

  it('does not retry what is not retryable, and gives up after the budget', async () => {
    let calls = 0
    const fatal = new Error('bad request')
    await expect(withRetry(async () => (calls++, Promise.reject(fatal)), { minDelayMs: 1 })).rejects.toBe(fatal)
    expect(calls).toBe(1)
    calls = 0
    await expect(withRetry(async () => (calls++, Promise.reject(flaky())), { retries: 2, minDelayMs: 1, maxDelayMs: 1 })).rejects.toThrow('busy')
    expect(calls).toBe(3)
  })

  it("waits what the host's hint says instead of the backoff", async () => {
    const delays: number[] = []
    let calls = 0
    await withRetry(async () => {
      if (calls++ === 0) throw flaky({ retryAfterMs: 40 })
      return 1
    }, { minDelayMs: 10_000, maxDelayMs: 20_000, onRetry: ({ delayMs }) => delays.push(delayMs) })
    expect(delays).toEqual([40])
  })

  it('stops when the hint asks for longer than maxDelayMs', async () => {
    let calls = 0
    const limited = flaky({ retryAfterMs: 3_600_000 })
    await expect(withRetry(async () => (calls++, Promise.reject(limited)), { maxDelayMs: 1000 })).rejects.toBe(limited)
    expect(calls).toBe(1)
  })

  it('uses a caller predicate and ends with ABORTED when cancelled in a pause', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const error = await withRetry(async () => Promise.reject(new Error('quota')), { retryable: (e) => (e as Error).message === 'quota', minDelayMs: 10_000, signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ABORTED' })
  })
})
