import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProviderRegistry } from '@datapub/core'
import { createPublisherServer, type PublisherServer } from '../src/create-publisher-server.js'
import { fakeProvider, type FakeProviderProbe } from './fake-provider.js'
import { followSse, queuePositions } from './follow-sse.js'
import { multipartBody } from './multipart-body.js'

let app: PublisherServer
let base: string
let work: string
let probe: FakeProviderProbe

// One publish at a time, two more may wait: the fourth visitor is turned away.
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'publisher-queue-'))
  const fake = fakeProvider()
  probe = fake.probe
  app = createPublisherServer({
    env: { DOCKER_HOST: `unix://${work}/no-engine.sock`, HOME: work, PATH: process.env.PATH },
    registry: new ProviderRegistry().register(fake.provider),
    tmpDir: work,
    maxRunningJobs: 1,
    maxQueuedJobs: 2,
    publishDefaults: { verify: false },
  })
  base = await app.listen()
})

afterAll(async () => {
  probe.open()
  await app.close()
  await rm(work, { recursive: true, force: true })
})

const jobDirs = async () => (await readdir(work)).filter((name) => name.startsWith('datapub-publisher-'))

async function publish(rows: string) {
  const { body, contentType } = multipartBody([
    { name: 'files', filename: 'birds.csv', value: `id,name\n${rows}` },
    { name: 'provider', value: 'fake' },
  ])
  const response = await fetch(new URL('api/publish', base), { method: 'POST', body, headers: { 'content-type': contentType } })
  return { status: response.status, body: (await response.json()) as { id?: string; events?: string; error?: { code: string; message: string } } }
}
const cancel = (id: string) => fetch(new URL(`api/jobs/${id}`, base), { method: 'DELETE' })
const events = (frames: Array<{ event: string }>) => frames.map((f) => f.event)

describe('publishes beyond the limit wait in a queue', () => {
  it('runs one at a time, tells each waiter its place as the queue moves, cancels running and queued jobs, and refuses a full queue', async () => {
    const a = await publish('1,robin\n')
    const streamA = followSse(new URL(a.body.events!, base).href)
    await expect.poll(() => probe.waiting()).toBe(1)
    const b = await publish('1,wren\n')
    const c = await publish('1,kite\n')
    expect([a.status, b.status, c.status]).toEqual([202, 202, 202])
    const streamB = followSse(new URL(b.body.events!, base).href)
    const streamC = followSse(new URL(c.body.events!, base).href)

    // Full: one running, two waiting.
    const d = await publish('1,swift\n')
    expect(d.status).toBe(429)
    expect(d.body.error).toMatchObject({ code: 'TOO_MANY_PUBLISHES', message: expect.stringContaining('queue is full') })
    expect(app.stats()).toMatchObject({ running: 1, queued: 2 })
    await expect.poll(() => queuePositions(streamC.frames)).toEqual([2])
    expect(queuePositions(streamB.frames)).toEqual([1])
    expect(await jobDirs()).toHaveLength(3)

    // Cancelling the waiter ahead moves C up; its folder goes at once.
    expect((await cancel(b.body.id!)).status).toBe(202)
    await streamB.ended
    expect(events(streamB.frames)).toEqual(['queue', 'failed', 'end'])
    expect(JSON.parse(streamB.frames[1]!.data)).toMatchObject({ code: 'ABORTED', message: 'The publish was cancelled before it started.' })
    await expect.poll(() => queuePositions(streamC.frames)).toEqual([2, 1])
    await expect.poll(jobDirs).toHaveLength(2)

    // Cancelling the running publish: it ends ABORTED, its folder goes, and C starts.
    expect((await cancel(a.body.id!)).status).toBe(202)
    await streamA.ended
    expect(events(streamA.frames).slice(0, 2)).toEqual(['start', 'publish'])
    expect(events(streamA.frames).slice(-2)).toEqual(['failed', 'end'])
    expect(JSON.parse(streamA.frames.at(-2)!.data)).toMatchObject({ code: 'ABORTED' })
    await expect.poll(() => probe.waiting()).toBe(1)
    expect(events(streamC.frames).slice(0, 3)).toEqual(['queue', 'queue', 'start'])

    probe.open()
    await streamC.ended
    expect(events(streamC.frames).slice(-2)).toEqual(['done', 'end'])
    await expect.poll(jobDirs).toEqual([])
    expect(app.stats()).toMatchObject({ running: 0, queued: 0, uploading: 0, peakRunning: 1, ended: 3 })
    // A cancel after the end changes nothing.
    expect(await (await cancel(c.body.id!)).json()).toEqual({ cancelled: false })
  })
})

describe('closing the server', () => {
  it('cancels running and waiting publishes and resolves only once their folders are gone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'publisher-close-'))
    const fake = fakeProvider()
    const closing = createPublisherServer({
      env: { DOCKER_HOST: `unix://${dir}/no-engine.sock`, HOME: dir, PATH: process.env.PATH },
      registry: new ProviderRegistry().register(fake.provider),
      tmpDir: dir,
      maxRunningJobs: 1,
      publishDefaults: { verify: false },
    })
    const url = await closing.listen()
    try {
      for (const rows of ['1,a\n', '1,b\n']) {
        const { body, contentType } = multipartBody([{ name: 'files', filename: 'x.csv', value: `id,name\n${rows}` }, { name: 'provider', value: 'fake' }])
        expect((await fetch(new URL('api/publish', url), { method: 'POST', body, headers: { 'content-type': contentType } })).status).toBe(202)
      }
      await expect.poll(() => fake.probe.waiting()).toBe(1)
      expect(closing.stats()).toMatchObject({ running: 1, queued: 1 })
      expect((await readdir(dir)).filter((n) => n.startsWith('datapub-publisher-'))).toHaveLength(2)
      await closing.close()
      expect(closing.stats()).toMatchObject({ running: 0, queued: 0, ended: 2 })
      expect((await readdir(dir)).filter((n) => n.startsWith('datapub-publisher-'))).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
