import { describe, expect, it } from 'vitest'
import { sleep } from '../../src/async/sleep.js'
import { DatapubError } from '../../src/errors/datapub-error.js'

describe('sleep', () => {
  it('resolves after the time', async () => {
    const started = Date.now()
    await sleep(30)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
  })

  it('rejects with ABORTED as soon as the signal aborts, without waiting out the timer', async () => {
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => controller.abort(new Error('interrupted')), 10)
    const error = await sleep(10_000, controller.signal).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(error).toMatchObject({ code: 'ABORTED', fault: 'user' })
    expect((error as Error).cause).toMatchObject({ message: 'interrupted' })
  })

  it('rejects at once on an already aborted signal, and keeps a coded reason', async () => {
    const reason = new DatapubError('DEPLOY_SUPERSEDED', 'replaced')
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason)
    await expect(sleep(10_000, AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' })
  })
})
