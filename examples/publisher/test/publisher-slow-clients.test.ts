import { connect } from 'node:net'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProviderRegistry } from '@datapub/core'
import { createPublisherServer, type PublisherServer } from '../src/create-publisher-server.js'
import { fakeProvider } from './fake-provider.js'
import { rawRequest, stalledUploadHead } from './raw-request.js'

const IDLE_MS = 400
const UPLOAD_MS = 2000
let app: PublisherServer
let base: string
let host: string
let work: string

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'publisher-slow-'))
  app = createPublisherServer({
    env: { DOCKER_HOST: `unix://${work}/no-engine.sock`, HOME: work, PATH: process.env.PATH },
    registry: new ProviderRegistry().register(fakeProvider({ open: true }).provider),
    tmpDir: work,
    idleTimeoutMs: IDLE_MS,
    uploadTimeoutMs: UPLOAD_MS,
    publishDefaults: { verify: false },
  })
  base = await app.listen()
  host = new URL(base).host
})

afterAll(async () => {
  await app.close()
  await rm(work, { recursive: true, force: true })
})

const jobDirs = async () => (await readdir(work)).filter((name) => name.startsWith('datapub-publisher-'))
// The answer's JSON body (it may come chunked: take the object itself).
const errorOf = (response: string) => JSON.parse(response.slice(response.indexOf('{'), response.lastIndexOf('}') + 1)) as { error: { code: string; message: string } }

describe('clients that never finish', () => {
  it('cuts off an upload that stops sending, with a coded 408, and removes its folder', async () => {
    const result = await rawRequest(base, { head: stalledUploadHead(host, 1_000_000), giveUpMs: 10_000 })
    expect(result).toMatchObject({ status: 408, timedOut: false })
    expect(errorOf(result.response).error).toMatchObject({ code: 'UPLOAD_STALLED', message: expect.stringContaining('stopped sending') })
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(IDLE_MS)
    await expect.poll(jobDirs).toEqual([])
  })

  it('cuts off an upload that trickles a byte at a time at the upload deadline', async () => {
    const result = await rawRequest(base, { head: stalledUploadHead(host, 1_000_000), trickleMs: 50, giveUpMs: 15_000 })
    expect(result).toMatchObject({ status: 408, timedOut: false })
    expect(errorOf(result.response).error.code).toBe('UPLOAD_TIMEOUT')
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(UPLOAD_MS)
    await expect.poll(jobDirs).toEqual([])
  })

  it('closes a connection that sends nothing, or only part of its request head', async () => {
    const [silent, partial] = await Promise.all([
      rawRequest(base, { head: '', giveUpMs: 10_000 }),
      rawRequest(base, { head: `POST /api/publish HTTP/1.1\r\nHost: ${host}\r\n`, giveUpMs: 10_000 }),
    ])
    expect(silent.timedOut).toBe(false)
    expect(partial.timedOut).toBe(false)
    expect(partial.status).toBe(408)
  })

  it('forgets an upload whose client goes away in the middle', async () => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(base).port) })
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(stalledUploadHead(host, 1_000_000))
    await expect.poll(() => app.stats().uploading).toBe(1)
    socket.destroy()
    await expect.poll(() => app.stats().uploading).toBe(0)
    await expect.poll(jobDirs).toEqual([])
  })
})

describe('malformed multipart bodies', () => {
  const post = (contentType: string, body: string) => fetch(new URL('api/publish', base), { method: 'POST', headers: { 'content-type': contentType }, body })
  const cases: Array<[string, string, string, number, string]> = [
    ['no boundary parameter', 'multipart/form-data', '--x\r\n\r\n', 400, 'UPLOAD_MALFORMED'],
    ['a body without the declared boundary', 'multipart/form-data; boundary=abc', 'just some text, no parts at all', 400, 'UPLOAD_MALFORMED'],
    ['a body cut off inside a file part', 'multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,', 400, 'UPLOAD_MALFORMED'],
    ['a part without headers', 'multipart/form-data; boundary=abc', '--abc\r\n\r\nvalue\r\n--abc--\r\n', 400, 'UPLOAD_MALFORMED'],
    ['binary garbage', 'multipart/form-data; boundary=abc', '--abc\r\n\u0000\u0001\u0002\r\n\r\n\u00ff--abc', 400, 'UPLOAD_MALFORMED'],
  ]
  it.each(cases)('answers %s with a coded 400 and leaves nothing behind', async (_label, contentType, body, status, code) => {
    const response = await post(contentType, body)
    expect(response.status).toBe(status)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code)
    await expect.poll(jobDirs).toEqual([])
  })

  it('still serves after all of the above', async () => {
    expect((await fetch(new URL('api/providers', base))).status).toBe(200)
    expect(app.stats()).toMatchObject({ uploading: 0, running: 0, queued: 0 })
  })
})
