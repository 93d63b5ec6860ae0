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

describe('abortable', () => {
  it('settles with the promise when not aborted', async () => {
    const { abortable } = await import('../../src/async/abortable.js')
    await expect(abortable(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7)
    await expect(abortable(Promise.reject(new Error('no')), undefined)).rejects.toThrow('no')
  })
  it('stops waiting with ABORTED when the signal aborts first', async () => {
    const { abortable } = await import('../../src/async/abortable.js')
    const controller = new AbortController()
    const never = new Promise<number>(() => undefined)
    setTimeout(() => controller.abort(), 10)
    await expect(abortable(never, controller.signal)).rejects.toMatchObject({ code: 'ABORTED' })
    await expect(abortable(Promise.resolve(1), AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' })
  })
})
