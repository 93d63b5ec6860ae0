import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import tar from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import type { DeployInput, ProviderContext } from '@datapub/core/kit'
import { heroku } from '../src/index.js'
import { HEROKU_YML } from '../src/pack-context.js'
import { HOST_CONTRACTS } from '../../../test/oracles/host-contracts.js'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { SENTINEL_KEY, app, dyno, platform, release } from './heroku-mock.js'

const { nock } = useHttpMock({ contracts: HOST_CONTRACTS })
const S3 = 'https://s3-external-1.amazonaws.com'
const PUT_PATH = '/heroku-sources-production/abc-123'
const GET_URL = `${S3}${PUT_PATH}?X-Amz-Signature=getsig`
const OUTPUT = 'https://build-output.heroku.com'

async function contextDir(): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'heroku-ctx-'))
  await mkdir(path.join(dir, 'app'))
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM python:3.11-slim-bookworm\nCMD ["datasette"]\n')
  await writeFile(path.join(dir, 'app', 'data.db'), Buffer.alloc(4096, 7))
  await writeFile(path.join(dir, 'app', 'inspect-data.json'), '{}')
  return { dir, files: ['Dockerfile', 'app/data.db', 'app/inspect-data.json'] }
}

async function tarEntries(gz: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>()
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: unknown) => void chunks.push(c as Buffer))
    stream.on('end', () => (entries.set(header.name, Buffer.concat(chunks)), next()))
  })
  const done = new Promise<void>((resolve, reject) => (extract.on('finish', () => resolve()), extract.on('error', reject)))
  Readable.from([gunzipSync(gz)]).pipe(extract)
  await done
  return entries
}

function mockUntilBuild(uploaded: { body?: Buffer; headers?: Record<string, unknown> }): void {
  platform(nock).get('/apps/birds').reply(200, app('birds'))
  platform(nock).patch('/apps/birds/config-vars', { DATASETTE_SECRET: 'sentinel-env-secret-1' }).reply(200, {})
  platform(nock).post('/sources').reply(201, { source_blob: { get_url: GET_URL, put_url: `${S3}${PUT_PATH}?X-Amz-Signature=putsig` } })
  nock(S3, { badheaders: ['authorization'] })
    .put(PUT_PATH)
    .query({ 'X-Amz-Signature': 'putsig' })
    .reply(function (_uri, body) {
      uploaded.headers = this.req.headers
      uploaded.body = Buffer.from(body as string, 'hex')
      return [200, '']
    })
}

async function ops(options: Record<string, unknown> = {}) {
  const fake = createFakeContext(heroku.options.parse({ apiKey: SENTINEL_KEY, pollInterval: 1, ...options }), { provider: 'heroku' })
  return { ops: await heroku.create(fake.context as ProviderContext<never>), ...fake }
}

function input(artifact: DeployInput['artifact']): DeployInput {
  return { name: 'birds', artifact, env: { DATASETTE_SECRET: 'sentinel-env-secret-1' }, port: 8001, signal: new AbortController().signal, spec: {} as DeployInput['spec'] }
}

describe('heroku build path', () => {
  it('uploads the context with a generated heroku.yml to S3 without Heroku auth, builds, streams the log and waits for the release', async () => {
    const ctx = await contextDir()
    const uploaded: { body?: Buffer; headers?: Record<string, unknown> } = {}
    mockUntilBuild(uploaded)
    let checksum = ''
    platform(nock)
      .post('/apps/birds/builds', (body: { source_blob: { url: string; version: string; checksum: string } }) => {
        checksum = body.source_blob.checksum
        return body.source_blob.url === GET_URL && /^[a-f0-9]{12}$/.test(body.source_blob.version) && /^SHA256:[a-f0-9]{64}$/.test(checksum)
      })
      .reply(201, { id: 'b-1', status: 'pending', output_stream_url: `${OUTPUT}/streams/b-1.log`, release: null })
    nock(OUTPUT, { badheaders: ['authorization'] }).get('/streams/b-1.log').reply(200, '=== Building web (Dockerfile)\nStep 1/2 : FROM python:3.11-slim-bookworm\n=== Pushing web\n')
    platform(nock).get('/apps/birds/builds/b-1').reply(200, { id: 'b-1', status: 'pending', release: null })
    platform(nock).get('/apps/birds/builds/b-1').reply(200, { id: 'b-1', status: 'succeeded', release: { id: 'rel-9' } })
    platform(nock).patch('/apps/birds/formation', { updates: [{ type: 'web', quantity: 2 }] }).reply(200, [])
    platform(nock).get('/apps/birds/releases/rel-9').reply(200, release(9, 'succeeded'))
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 9), dyno('up', 9, 'web.2')])

    const { ops: o, events } = await ops({ dynoQuantity: 2 })
    const result = await o.deploy(input({ kind: 'context', ...ctx }))
    expect(result).toMatchObject({ provider: 'heroku', id: 'birds', url: 'https://birds-1a2b3c.herokuapp.com/', release: 9, build: 'b-1' })

    const entries = await tarEntries(uploaded.body!)
    expect([...entries.keys()]).toEqual(['Dockerfile', 'app/data.db', 'app/inspect-data.json', 'heroku.yml'])
    expect(entries.get('heroku.yml')!.toString()).toBe(HEROKU_YML)
    expect(entries.get('app/data.db')!.equals(Buffer.alloc(4096, 7))).toBe(true)
    expect(checksum).toBe(`SHA256:${createHash('sha256').update(uploaded.body!).digest('hex')}`)
    expect(uploaded.headers!['content-length']).toBe(String(uploaded.body!.length))
    expect(uploaded.headers!['content-type'] ?? '').toBe('')
    expect(events.filter((e) => e.type === 'image:build:log').map((e) => (e as { line: string }).line)).toEqual([
      '=== Building web (Dockerfile)',
      'Step 1/2 : FROM python:3.11-slim-bookworm',
      '=== Pushing web',
    ])
  })

  it('fails with HEROKU_BUILD_FAILED carrying the end of the build log', async () => {
    const ctx = await contextDir()
    mockUntilBuild({})
    platform(nock).post('/apps/birds/builds').reply(201, { id: 'b-2', status: 'pending', output_stream_url: `${OUTPUT}/streams/b-2.log`, release: null })
    nock(OUTPUT).get('/streams/b-2.log').reply(200, 'Step 3/9 : RUN pip install datasette\nERROR: No matching distribution found for datasette\n')
    platform(nock).get('/apps/birds/builds/b-2').reply(200, { id: 'b-2', status: 'failed', release: null })
    const { ops: o } = await ops()
    const error = await o.deploy(input({ kind: 'context', ...ctx })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'HEROKU_BUILD_FAILED', fault: 'user', message: expect.stringContaining('No matching distribution found for datasette') })
  })

  it('keeps going when the build output stream breaks, and still reports the build result', async () => {
    const ctx = await contextDir()
    mockUntilBuild({})
    platform(nock).post('/apps/birds/builds').reply(201, { id: 'b-3', status: 'succeeded', output_stream_url: `${OUTPUT}/streams/b-3.log`, release: { id: 'rel-2' } })
    nock(OUTPUT).get('/streams/b-3.log').reply(404, 'gone')
    platform(nock).get('/apps/birds/releases/rel-2').reply(200, release(2, 'succeeded'))
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 2)])
    const { ops: o, logs } = await ops()
    expect(await o.deploy(input({ kind: 'context', ...ctx }))).toMatchObject({ release: 2 })
    expect(logs.join('\n')).toMatch(/build output stream ended early/)
  })

  it('refuses a symlink in the context before uploading anything', async () => {
    const ctx = await contextDir()
    const { symlink } = await import('node:fs/promises')
    await symlink('/etc/passwd', path.join(ctx.dir, 'app', 'passwd'))
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    const { ops: o } = await ops()
    await expect(o.deploy(input({ kind: 'context', dir: ctx.dir, files: [...ctx.files, 'app/passwd'] }))).rejects.toMatchObject({ code: 'INPUT_UNSAFE' })
  })
})

describe('limits of a heroku.yml Docker build', () => {
  it('applies no slug cap: the 500 MB slug limit is the buildpack slug compiler\'s, not a Docker build\'s', () => {
    expect(heroku.limits).not.toHaveProperty('bundleBytes')
    expect(Object.keys((heroku.options as unknown as { shape: object }).shape)).not.toContain('slugLimit')
  })
})
