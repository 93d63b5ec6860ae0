import { describe, expect, it } from 'vitest'
import { EventChannel } from '../../src/events/event-channel.js'
import { PUBLISH_EVENT_TYPES, STAGES } from '../../src/contract/publish-event.js'

describe('EventChannel', () => {
  it('delivers items pushed before and while the consumer waits, in order, then ends on close', async () => {
    const channel = new EventChannel<number>()
    channel.push(1)
    const seen: number[] = []
    const consumer = (async () => {
      for await (const item of channel.drain()) seen.push(item)
    })()
    await new Promise((resolve) => setTimeout(resolve, 5))
    channel.push(2)
    channel.push(3)
    channel.close()
    channel.push(4)
    await consumer
    expect(seen).toEqual([1, 2, 3])
  })
})

describe('event and stage lists', () => {
  it('are unique and name the pipeline in order', () => {
    expect(new Set(PUBLISH_EVENT_TYPES).size).toBe(PUBLISH_EVENT_TYPES.length)
    expect(STAGES).toEqual(['collect', 'data', 'context', 'build', 'analyze', 'push', 'deploy', 'verify'])
  })
})
