import { describe, expect, it } from 'vitest'
import { mapBounded } from '../../src/async/map-bounded.js'
import { sleep } from '../../src/async/sleep.js'

describe('mapBounded', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0
    let peak = 0
    const out = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      running++
      peak = Math.max(peak, running)
      await sleep(n * 3)
      running--
      return `${i}:${n}`
    })
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0'])
    expect(peak).toBe(2)
  })

  it('starts nothing new after the first failure and rethrows it once in-flight work settled', async () => {
    const started: number[] = []
    let settled = 0
    const error = await mapBounded([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n)
      if (n === 1) throw new Error('item 1 failed')
      await sleep(20)
      settled++
      return n
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('item 1 failed')
    expect(started).toEqual([0, 1])
    expect(settled).toBe(1)
  })

  it('stops starting work when the signal aborts', async () => {
    const controller = new AbortController()
    const started: number[] = []
    const error = await mapBounded([0, 1, 2, 3], 1, async (n) => {
      started.push(n)
      if (n === 1) controller.abort()
      return n
    }, controller.signal).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ABORTED' })
    expect(started).toEqual([0, 1])
  })

  it('answers an empty list with an empty list', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([])
  })
})
