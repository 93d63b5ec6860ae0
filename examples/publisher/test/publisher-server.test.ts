import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProviderRegistry } from '@datapub/core'
import { createPublisherServer, type PublisherServer } from '../src/create-publisher-server.js'
import { fakeProvider, type FakeProviderProbe } from './fake-provider.js'
import { multipartBody, type Part } from './multipart-body.js'
import { readSse } from './read-sse.js'

const SENTINEL = 'sentinel-fake-token-7f3a9c2e41'
const HEROKU_SENTINEL = 'sentinel-heroku-key-0b5d8e6a13'
let app: PublisherServer
let base: string
let work: string
let probe: FakeProviderProbe
let ENV_NAMES: string[] = []

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'publisher-test-'))
  const fake = fakeProvider()
  probe = fake.probe
  const env = { DOCKER_HOST: `unix://${work}/no-engine.sock`, FAKE_TOKEN: SENTINEL, HEROKU_API_KEY: HEROKU_SENTINEL, HOME: work, PATH: process.env.PATH }
  ENV_NAMES = ['DOCKER_HOST', 'FAKE_TOKEN', 'HEROKU_API_KEY']
  app = createPublisherServer({
    env,
    registry: new ProviderRegistry().register(fake.provider),
    tmpDir: work,
    maxFileBytes: 2048,
    maxTotalBytes: 3000,
    maxFiles: 3,
    publishDefaults: { verify: false },
  })
  base = await app.listen()
})

afterAll(async () => {
  probe.open()
  await app.close()
  await rm(work, { recursive: true, force: true })
})

const csv = (name: string, value: string | Buffer, type = 'text/csv'): Part => ({ name: 'files', filename: name, value, type })
const field = (name: string, value: string): Part => ({ name, value })

async function post(parts: Part[], headers: Record<string, string> = {}) {
  const { body, contentType } = multipartBody(parts)
  const response = await fetch(new URL('api/publish', base), { method: 'POST', body, headers: { 'content-type': contentType, ...headers } })
  const text = await response.text()
  return { status: response.status, text, body: JSON.parse(text) as { id?: string; events?: string; error?: { code: string; message: string; hint?: string; field?: string } } }
}

const jobDirs = async () => (await readdir(work)).filter((name) => name.startsWith('datapub-publisher-'))

describe('GET /api/providers', () => {
  it('lists every provider with availability, reasons and option schemas without server-only options', async () => {
    const response = await fetch(new URL('api/providers', base))
    const text = await response.text()
    const { providers, limits } = JSON.parse(text) as { providers: Array<{ name: string; title: string; description?: string; available: boolean; reason?: string; options: { properties: Record<string, { type?: string; default?: unknown }> } }>; limits: Record<string, number> }
    const byName = Object.fromEntries(providers.map((p) => [p.name, p]))
    expect(Object.keys(byName).sort()).toEqual(['cloudrun', 'fake', 'fly', 'heroku', 'local', 'now', 'vercel'])
    // Plain words for visitors; what to set goes to the operator only.
    expect(byName.local).toMatchObject({ title: 'This server', available: false, reason: 'Publishing on this server is switched off right now.' })
    expect(byName.heroku?.available).toBe(true)
    expect(byName.vercel).toMatchObject({ available: false, reason: 'Not set up on this server: no Vercel account was added.' })
    expect((await app.providers()).operatorHints).toMatchObject({ local: expect.stringContaining('DOCKER_HOST'), vercel: 'Set VERCEL_TOKEN.', now: 'Set NOW_TOKEN.' })
    for (const name of [...ENV_NAMES, 'GOOGLE_APPLICATION_CREDENTIALS', 'VERCEL_TOKEN', 'NOW_TOKEN']) expect(text).not.toContain(name)
    // What the page shows before "Advanced" is opened: no Docker words.
    for (const p of providers) expect([p.title, p.description, p.reason].join(' ')).not.toMatch(/docker|container|image/i)
    expect(byName.local?.options.properties.publicHost).toMatchObject({ description: 'The host name used in the link (default: 127.0.0.1).' })
    // A provider's own description naming a setting reaches the page without the name.
    expect(byName.fake?.description).toBe('Test double, reads a server setting')
    expect(byName.cloudrun?.available).toBe(false)
    expect(byName.fake?.options.properties).toEqual({
      greeting: expect.objectContaining({ type: 'string', default: 'hello' }),
      fail: expect.objectContaining({ type: 'boolean', default: false }),
    })
    expect(Object.keys(byName.heroku?.options.properties ?? {})).not.toContain('apiKey')
    // Fly's generated form: sizing, region, volume flags; never the token, API, registry or app URL.
    expect(byName.fly).toMatchObject({ title: 'Fly.io', available: false, reason: 'Not set up on this server: no Fly.io account was added.' })
    expect((await app.providers()).operatorHints).toMatchObject({ fly: 'Set FLY_API_TOKEN.' })
    expect(Object.keys(byName.fly?.options.properties ?? {})).toEqual(expect.arrayContaining(['region', 'memory', 'cpuKind', 'cpus', 'machines', 'autoStop', 'autoStart', 'createVolume', 'volumeName', 'createDb']))
    expect(Object.keys(byName.fly?.options.properties ?? {})).not.toEqual(expect.arrayContaining(['appUrl']))
    expect(Object.keys(byName.local?.options.properties ?? {})).toEqual(expect.arrayContaining(['network', 'hostPort']))
    for (const p of providers) for (const key of Object.keys(p.options.properties)) expect(key).not.toMatch(/token|apiKey|keyFile|apiUrl|registryUrl/)
    expect(limits).toEqual({ maxFileBytes: 2048, maxTotalBytes: 3000, maxFiles: 3 })
    expect(text).not.toContain(SENTINEL)
    expect(text).not.toContain(HEROKU_SENTINEL)
  })
})

describe('POST /api/publish refuses bad uploads and leaves nothing behind', () => {
  const cases: Array<[string, Part[], number, string]> = [
    ['a file over the per-file limit', [csv('big.csv', `a,b\n${'1,2\n'.repeat(600)}`), field('provider', 'fake')], 413, 'UPLOAD_FILE_TOO_LARGE'],
    ['files over the total limit', [csv('a.csv', `a\n${'1\n'.repeat(900)}`), csv('b.csv', `a\n${'1\n'.repeat(900)}`), field('provider', 'fake')], 413, 'UPLOAD_TOO_LARGE'],
    ['too many files', ['a', 'b', 'c', 'd'].map((n) => csv(`${n}.csv`, 'x\n1\n')).concat(field('provider', 'fake')), 413, 'UPLOAD_TOO_MANY_FILES'],
    ['a non-CSV extension', [csv('notes.txt', 'a,b\n1,2\n'), field('provider', 'fake')], 400, 'UPLOAD_BAD_TYPE'],
    ['a non-CSV content type', [csv('a.csv', 'a,b\n1,2\n', 'image/png'), field('provider', 'fake')], 415, 'UPLOAD_BAD_TYPE'],
    ['a path that climbs', [csv('../../etc/cron.csv', 'a\n1\n'), field('provider', 'fake')], 400, 'UPLOAD_BAD_NAME'],
    ['an absolute path', [csv('/tmp/x.csv', 'a\n1\n'), field('provider', 'fake')], 400, 'UPLOAD_BAD_NAME'],
    ['a Windows path', [csv('..\\x.csv', 'a\n1\n'), field('provider', 'fake')], 400, 'UPLOAD_BAD_NAME'],
    ['binary content', [csv('a.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1])), field('provider', 'fake')], 400, 'UPLOAD_NOT_CSV'],
    ['text that is not UTF-8', [csv('a.csv', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x74, 0xe9, 0x0a])), field('provider', 'fake')], 400, 'UPLOAD_NOT_CSV'],
    ['an empty file', [csv('a.csv', ''), field('provider', 'fake')], 400, 'UPLOAD_NOT_CSV'],
    ['no files', [field('provider', 'fake')], 400, 'UPLOAD_NO_FILES'],
    ['two files with one name', [csv('a.csv', 'x\n1\n'), csv('A.csv', 'x\n2\n'), field('provider', 'fake')], 400, 'UPLOAD_DUPLICATE_NAME'],
    ['a server-only option', [csv('a.csv', 'x\n1\n'), field('provider', 'fake'), field('providerOptions', JSON.stringify({ apiUrl: 'https://attacker.example' }))], 400, 'OPTION_SERVER_ONLY'],
    ['a token from the browser', [csv('a.csv', 'x\n1\n'), field('provider', 'fake'), field('providerOptions', JSON.stringify({ token: 'mine' }))], 400, 'OPTION_SERVER_ONLY'],
    ['a bad licence URL', [csv('a.csv', 'x\n1\n'), field('provider', 'fake'), field('licenseUrl', 'javascript:alert(1)')], 400, 'FORM_INVALID'],
    ['an unavailable provider', [csv('a.csv', 'x\n1\n'), field('provider', 'local')], 400, 'PROVIDER_UNAVAILABLE'],
    ['an unknown provider', [csv('a.csv', 'x\n1\n'), field('provider', 'nope')], 400, 'PROVIDER_UNKNOWN'],
  ]
  it.each(cases)('refuses %s', async (_label, parts, status, code) => {
    const result = await post(parts)
    expect(result.status).toBe(status)
    expect(result.body.error).toMatchObject({ code, message: expect.any(String) })
    expect(result.body.id).toBeUndefined()
    expect(await jobDirs()).toEqual([])
  })

  it('refuses a cross-origin post and a body that is not multipart', async () => {
    expect((await post([csv('a.csv', 'x\n1\n'), field('provider', 'fake')], { origin: 'https://evil.example' })).body.error?.code).toBe('ORIGIN_REFUSED')
    const response = await fetch(new URL('api/publish', base), { method: 'POST', body: '{"provider":"fake"}', headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(415)
    expect(await jobDirs()).toEqual([])
  })

  it('answers 404 for a job id nobody was given', async () => {
    const response = await fetch(new URL(`api/jobs/${'A'.repeat(32)}/events`, base))
    expect(response.status).toBe(404)
  })
})

describe('publishing through the fake host', () => {
  it('keeps two concurrent jobs apart: own folder, own id, own events, and cleans up', async () => {
    const [a, b] = await Promise.all([
      post([csv('birds.csv', 'id,name\n1,robin\n2,wren\n'), field('provider', 'fake'), field('title', 'Job A'), field('providerOptions', JSON.stringify({ greeting: 'from-a' }))]),
      post([csv('birds.csv', 'id,name\n1,heron\n2,kite\n3,swift\n'), field('provider', 'fake'), field('title', 'Job B'), field('providerOptions', JSON.stringify({ greeting: 'from-b' }))]),
    ])
    expect([a.status, b.status]).toEqual([202, 202])
    expect(a.body.id).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(a.body.id).not.toBe(b.body.id)
    // Both publishes wait inside deploy at the same time, each with its own upload folder.
    await expect.poll(() => probe.waiting(), { timeout: 20_000 }).toBe(2)
    expect(await jobDirs()).toHaveLength(2)
    probe.open()
    const [sa, sb] = await Promise.all([readSse(new URL(a.body.events!, base).href), readSse(new URL(b.body.events!, base).href)])
    expect(sa.contentType).toMatch(/^text\/event-stream/)
    const tables = (frames: typeof sa.frames) => frames.filter((f) => f.event === 'publish').map((f) => JSON.parse(f.data)).filter((e) => e.type === 'data:table').map((e) => `${e.table}:${e.rows}`)
    expect(tables(sa.frames)).toEqual(['birds:2'])
    expect(tables(sb.frames)).toEqual(['birds:3'])
    expect(sa.raw).toContain('from-a')
    expect(sa.raw).not.toContain('from-b')
    expect(sb.raw).toContain('from-b')
    const doneA = JSON.parse(sa.frames.find((f) => f.event === 'done')!.data) as { url: string; name: string }
    const doneB = JSON.parse(sb.frames.find((f) => f.event === 'done')!.data) as { url: string; name: string }
    expect(doneA.name).not.toBe(doneB.name)
    expect(doneA.url).toBe(`http://127.0.0.1:9/${doneA.name}/`)
    expect(sa.frames.at(-1)?.event).toBe('end')
    expect(sa.raw).not.toContain(work)
    await expect.poll(jobDirs).toEqual([])
    // A reconnecting browser resumes after the last id it saw.
    const resumed = await readSse(new URL(a.body.events!, base).href, { 'last-event-id': String(sa.frames.length - 2) })
    expect(resumed.frames.map((f) => f.event)).toEqual(['done', 'end'])
  })

  it('never sends a server secret to the browser, even when a provider tries to leak it', async () => {
    probe.open()
    probe.seenTokens.length = 0
    const ok = await post([csv('t.csv', 'a\n1\n'), field('provider', 'fake')])
    const bad = await post([csv('t.csv', 'a\n1\n'), field('provider', 'fake'), field('providerOptions', JSON.stringify({ fail: true }))])
    const streams = await Promise.all([readSse(new URL(ok.body.events!, base).href), readSse(new URL(bad.body.events!, base).href)])
    // The provider did get the secret and did try to print it.
    expect(probe.seenTokens).toEqual([SENTINEL, SENTINEL])
    const failed = JSON.parse(streams[1].frames.find((f) => f.event === 'failed')!.data) as { code: string; hint: string }
    expect(failed).toMatchObject({ code: 'FAKE_DEPLOY_FAILED', fault: 'user', hint: 'Check the token [REDACTED] in a server setting.' })
    expect(streams[0].frames.some((f) => f.event === 'done')).toBe(true)
    const everything = [ok.text, bad.text, ...streams.map((s) => s.raw)].join('\n')
    expect(everything).toContain('with [REDACTED]')
    expect(everything).not.toContain(SENTINEL)
    expect(everything).not.toContain(HEROKU_SENTINEL)
    expect(everything).not.toContain(Buffer.from(SENTINEL).toString('base64'))
    // Nor the names of its settings.
    for (const name of ENV_NAMES) expect(everything).not.toContain(name)
  })
})
