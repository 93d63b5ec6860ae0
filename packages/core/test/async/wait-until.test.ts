import { describe, expect, it } from 'vitest'
import { waitUntil } from '../../src/async/wait-until.js'
import { backoffDelay } from '../../src/async/backoff-delay.js'

describe('waitUntil', () => {
  it('looks immediately, then again until done, and returns the value', async () => {
    const seen: number[] = []
    const pauses: number[] = []
    const value = await waitUntil({
      check: ({ attempt }) => (seen.push(attempt), attempt < 3 ? { done: false, reason: `still pending (${attempt})` } : { done: true, value: 'ready' }),
      timeoutMs: 5000,
      minDelayMs: 1,
      maxDelayMs: 5,
      onWait: ({ delayMs, reason }) => {
        pauses.push(delayMs)
        expect(reason).toMatch(/still pending/)
      },
    })
    expect(value).toBe('ready')
    expect(seen).toEqual([1, 2, 3])
    expect(pauses).toHaveLength(2)
    for (const p of pauses) {
      expect(p).toBeGreaterThanOrEqual(1)
      expect(p).toBeLessThanOrEqual(5)
    }
  })

  it('times out with the default code and the last reason in the message', async () => {
    const error = await waitUntil({ check: ({ attempt }) => ({ done: false, reason: `release v${attempt} pending` }), timeoutMs: 60, minDelayMs: 5, maxDelayMs: 10 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', fault: 'host' })
    expect((error as Error).message).toMatch(/^Gave up waiting after \d+ s \(last: release v\d+ pending\)\.$/)
  })

  it('lets the caller name the timeout error', async () => {
    const error = await waitUntil({
      check: () => ({ done: false, reason: 'web dynos starting' }),
      timeoutMs: 20,
      minDelayMs: 5,
      timeout: { code: 'ACME_DEPLOY_TIMEOUT', message: 'Service birds was not ready.', hint: 'Raise --ready-timeout.', fault: 'user', provider: 'acme' },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ACME_DEPLOY_TIMEOUT', fault: 'user', provider: 'acme', hint: 'Raise --ready-timeout.' })
    expect((error as Error).message).toMatch(/^Service birds was not ready after \d+ s \(last: web dynos starting\)\.$/)
  })

  it('aborts a check that hangs past the deadline and reports a timeout', async () => {
    const started = Date.now()
    const error = await waitUntil({
      check: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('socket closed')))),
      timeoutMs: 50,
    }).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT' })
  })

  it('stops on the caller signal with ABORTED, mid-pause', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const started = Date.now()
    const error = await waitUntil({ check: () => ({ done: false, reason: 'x' }), timeoutMs: 60_000, minDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal }).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(error).toMatchObject({ code: 'ABORTED' })
  })

  it('passes a terminal failure thrown by the check straight through', async () => {
    const failure = new Error('release failed')
    await expect(waitUntil({ check: () => Promise.reject(failure), timeoutMs: 1000 })).rejects.toBe(failure)
  })
})

describe('backoffDelay', () => {
  it('draws between the minimum and an exponential ceiling capped at the maximum', () => {
    expect(backoffDelay(1, 100, 5000, () => 1)).toBe(100)
    expect(backoffDelay(3, 100, 5000, () => 1)).toBe(400)
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(100)
    expect(backoffDelay(30, 100, 5000, () => 1)).toBe(5000)
    expect(backoffDelay(5000, 100, 5000, () => 0.5)).toBe(2550)
  })
})
