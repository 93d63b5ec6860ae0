import { describe, expect, it } from 'vitest'
import { isDatapubError, type DeployInput, type ProviderContext, type ProviderOperations } from '@datapub/core/kit'
import { createFakeContext, describeProviderConformance } from '@datapub/core/testing'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { now } from '../src/index.js'
import { makeContext } from './make-context.js'

const { nock } = useHttpMock()
type Scope = ReturnType<typeof nock>
const API = 'https://api.vercel.com'
const TOKEN = 'sentinel-now-token-4f2a9c'
const SECRET = 'sentinel-now-datasette-secret-77e1'
const auth = { reqheaders: { authorization: `Bearer ${TOKEN}` } }
const lines = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n'

type Context = Awaited<ReturnType<typeof makeContext>>

function createBody(ctx: Context, extra: Record<string, unknown> = {}) {
  return {
    env: { DATASETTE_SECRET: SECRET },
    meta: { datapubName: 'birds', datapubEnvNames: 'DATASETTE_SECRET' },
    public: false,
    forceNew: false,
    name: 'birds',
    deploymentType: 'docker',
    files: ctx.entries,
    config: { features: { cloud: 'v2' } },
    ...extra,
  }
}

/** create → missing_files → upload each missing file with its headers → create again. */
function mockCreate(scope: Scope, ctx: Context, missing: string[], body = createBody(ctx)) {
  scope.post('/v4/now/deployments', body).reply(400, { error: { code: 'missing_files', message: 'Missing files', missing } })
  for (const sha of missing) {
    const entry = ctx.entries.find((e) => e.sha === sha)!
    scope
      .post('/v2/now/files')
      .matchHeader('content-type', 'application/octet-stream')
      .matchHeader('content-length', String(entry.size))
      .matchHeader('x-now-digest', sha)
      .matchHeader('x-now-size', String(entry.size))
      .reply(200, {})
  }
  scope.post('/v4/now/deployments', body).reply(200, { deploymentId: 'dpl_now1', url: 'birds-abc.now.sh', readyState: 'INITIALIZING', warnings: [] })
}

function mockEvents(scope: Scope, id: string, body: string, status = 200) {
  scope.get(`/v2/now/deployments/${id}/events`).query({ direction: 'forward', follow: '1', format: 'lines' }).reply(status, body)
}

async function setup(options: Record<string, unknown> = {}) {
  const fake = createFakeContext(now.options.parse({ token: TOKEN, pollInterval: 0, ...options }), { provider: 'now' })
  const ops: ProviderOperations = await now.create(fake.context as ProviderContext<never>)
  return { ...fake, ops }
}

function input(ctx: Context): DeployInput {
  return {
    name: 'birds',
    artifact: { kind: 'context', dir: ctx.dir, files: ctx.files },
    env: { DATASETTE_SECRET: SECRET },
    spec: undefined as never,
    port: 8001,
    signal: new AbortController().signal,
  }
}

describeProviderConformance(now, {
  validOptions: { token: TOKEN },
  invalidOptions: [
    { options: { token: 'short' }, path: 'token' },
    { options: { apiUrl: 'ftp://api.zeit.co' }, path: 'apiUrl' },
    { options: { scope: 'bad scope!' }, path: 'scope' },
    { options: { scaleMax: 'lots' }, path: 'scaleMax' },
    { options: { alias: ['Not A Host'] }, path: 'alias.0' },
  ],
  sentinels: [TOKEN],
  badAuth: async () => {
    nock(API).get('/v2/user').reply(403, { error: { code: 'forbidden', message: 'Not authorized' } })
    return { options: { token: 'bad-token-00000' } }
  },
  lifecycle: {
    async prepare() {
      const ctx = await makeContext()
      const api = nock(API, auth)
      api.get('/v2/user').reply(200, { user: { uid: 'u1', username: 'simon', email: 'simon@example.com' } })
      mockCreate(api, ctx, [ctx.entries[1]!.sha])
      mockEvents(api, 'dpl_now1', lines({ type: 'build-start' }, { type: 'stdout', payload: { text: 'Step 1/2 : FROM python' } }, { type: 'state-change', payload: { value: 'READY' } }))
      const deployment = { uid: 'dpl_now1', url: 'birds-abc.now.sh', name: 'birds', state: 'READY', created: 1_540_000_000_000, meta: { datapubEnvNames: 'DATASETTE_SECRET' } }
      api.get('/v13/deployments/dpl_now1').reply(200, deployment)
      api.get('/v7/deployments').query({ limit: '100' }).reply(200, { deployments: [deployment] })
      api.get('/v13/deployments/dpl_now1').reply(200, deployment)
      api.get('/v2/deployments/dpl_now1/aliases').reply(200, { aliases: [] })
      api.delete('/v13/deployments/dpl_now1').reply(200, {})
      return {
        options: { token: TOKEN, pollInterval: 0 },
        deploy: { name: 'birds', artifact: { kind: 'context', dir: ctx.dir, files: ctx.files }, env: { DATASETTE_SECRET: SECRET }, port: 8001 },
      }
    },
  },
})

describe('now deploy', () => {
  it('uploads only the missing files, streams the build log, scales and treats an alias 409 as done', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    const body = createBody(ctx, { public: true })
    mockCreate(api, ctx, [ctx.entries[1]!.sha, ctx.entries[3]!.sha], body)
    mockEvents(
      api,
      'dpl_now1',
      lines(
        { type: 'command', payload: { text: 'docker build' } },
        { type: 'stdout', payload: { text: 'Step 1/9 : FROM python:3.11-slim-bookworm\n' } },
        { type: 'state-change', payload: { value: 'BUILDING' } },
        { type: 'state-change', payload: { value: 'READY' } },
      ),
    )
    api.put('/v3/now/deployments/dpl_now1/instances', { all: { min: 1, max: 'auto' } }).reply(200, { all: { min: 1, max: 'auto' } })
    api.post('/now/deployments/dpl_now1/aliases', { alias: 'birds.now.sh' }).reply(409, { error: { code: 'alias_exists', uid: 'a1', alias: 'birds.now.sh' } })
    const { ops, events } = await setup({ public: true, scaleMin: 1, scaleMax: 'auto', alias: ['birds.now.sh'] })
    const result = await ops.deploy(input(ctx))
    expect(result).toEqual({ provider: 'now', id: 'dpl_now1', name: 'birds', url: 'https://birds.now.sh' })
    expect(events.filter((e) => e.type === 'image:build:log').map((e) => (e as { line: string }).line)).toEqual(['docker build', 'Step 1/9 : FROM python:3.11-slim-bookworm'])
    expect(events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toEqual(['CREATED', 'BUILDING', 'READY'])
    expect(events.find((e) => e.type === 'progress' && e.done === e.total)).toMatchObject({ label: 'upload', total: ctx.entries[1]!.size + ctx.entries[3]!.size })
    expect(JSON.stringify(events)).not.toContain(SECRET)
  })

  it('turns the image-size build failure into NOW_IMAGE_TOO_LARGE with the 100 MB limit and a hint', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_big', url: 'birds-big.now.sh' })
    mockEvents(api, 'dpl_big', lines({ type: 'stdout', payload: { text: 'Successfully built 0123abcd' } }, { type: 'stdout', payload: { text: 'The built image size (312.4M) exceeds the 100MiB limit' } }, { type: 'state-change', payload: { value: 'ERROR' } }))
    const { ops } = await setup()
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(isDatapubError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'NOW_IMAGE_TOO_LARGE', fault: 'user', details: { limitBytes: 100 * 1024 * 1024, builtSize: '312.4M' } })
    expect((error as { hint: string }).hint).toMatch(/Publish less data/)
  })

  it('falls back to polling the state when the events stream is unavailable, and reports a build failure with the log', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_p', url: 'birds-p.now.sh' })
    mockEvents(api, 'dpl_p', JSON.stringify({ error: { code: 'not_found' } }), 404)
    api.get('/v3/now/deployments/dpl_p').reply(200, { uid: 'dpl_p', state: 'INITIALIZING' })
    api.get('/v3/now/deployments/dpl_p').reply(200, { uid: 'dpl_p', state: 'READY' })
    const { ops, events } = await setup()
    expect((await ops.deploy(input(ctx))).url).toBe('https://birds-p.now.sh')
    expect(events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toEqual(['CREATED', 'INITIALIZING', 'READY'])

    api.post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_f', url: 'birds-f.now.sh' })
    mockEvents(api, 'dpl_f', lines({ type: 'stderr', payload: { text: 'ERROR: No matching distribution found for datasette-nope' } }, { type: 'state-change', payload: { value: 'ERROR' } }))
    const failed = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(failed).toMatchObject({ code: 'NOW_BUILD_FAILED', details: { log: 'ERROR: No matching distribution found for datasette-nope' } })
  })

  it('waits for error.limit.reset on a 429 and then creates', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.post('/v4/now/deployments', createBody(ctx)).reply(429, { error: { code: 'rate_limited', message: 'You have been creating deployments at a very fast pace', limit: { remaining: 0, reset: Math.floor(Date.now() / 1000), total: 20 } } })
    api.post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_r', url: 'birds-r.now.sh' })
    mockEvents(api, 'dpl_r', lines({ type: 'state-change', payload: { value: 'READY' } }))
    const { ops, events } = await setup()
    expect((await ops.deploy(input(ctx))).id).toBe('dpl_r')
    expect(events.some((e) => e.type === 'deploy:status' && e.state === 'RATE_LIMITED')).toBe(true)
  })

  it('does not retry builds_rate_limited or a far reset: NOW_RATE_LIMITED with the reset time', async () => {
    const ctx = await makeContext()
    const reset = Math.floor(Date.now() / 1000) + 7200
    nock(API, auth).post('/v4/now/deployments', createBody(ctx)).reply(429, { error: { code: 'rate_limited', message: 'slow down', limit: { reset } } })
    const { ops } = await setup()
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NOW_RATE_LIMITED', fault: 'user', details: { reset } })
  })

  it('maps 402 to NOW_PAYMENT_REQUIRED and plan_requires_public to a hint naming --public', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.post('/v4/now/deployments', createBody(ctx)).reply(402, { error: { code: 'payment_required', message: 'Upgrade' } })
    api.post('/v4/now/deployments', createBody(ctx)).reply(400, { error: { code: 'plan_requires_public', message: 'OSS plan' } })
    const { ops } = await setup()
    expect(await ops.deploy(input(ctx)).catch((e: unknown) => e)).toMatchObject({ code: 'NOW_PAYMENT_REQUIRED', fault: 'user' })
    expect(await ops.deploy(input(ctx)).catch((e: unknown) => e)).toMatchObject({ code: 'NOW_PLAN_REQUIRES_PUBLIC', path: 'public' })
  })

  it('attributes size_limit_exceeded to the file by sha', async () => {
    const ctx = await makeContext()
    const db = ctx.entries.find((e) => e.file === 'app/data.db')!
    nock(API, auth).post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_s', url: 'x.now.sh', warnings: [{ reason: 'size_limit_exceeded', sha: db.sha, limit: 10 }] })
    const { ops } = await setup()
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NOW_FILE_TOO_LARGE', details: { files: [{ file: 'app/data.db', bytes: db.size }], limitBytes: 10 } })
  })

  it('sends the team scope on every call and reads NOW_TOKEN from the environment', async () => {
    const api = nock(API, auth)
    api.get('/v2/user').query({ teamId: 'team_abc' }).reply(200, { user: { username: 'simon' } })
    api.get('/v13/deployments/dpl_1').query({ teamId: 'team_abc' }).reply(200, { uid: 'dpl_1', name: 'birds', url: 'b.now.sh', state: 'READY', created: 0 })
    const fake = createFakeContext(now.options.parse({ scope: 'team_abc' }), { provider: 'now', env: { NOW_TOKEN: TOKEN } })
    const ops = await now.create(fake.context as ProviderContext<never>)
    expect(await ops.checkAuth()).toEqual({ account: 'simon' })
    expect(await ops.status('dpl_1')).toEqual({ id: 'dpl_1', name: 'birds', state: 'READY', url: 'https://b.now.sh', createdAt: '1970-01-01T00:00:00.000Z' })
  })

  it('asks for a token when there is none', async () => {
    const fake = createFakeContext(now.options.parse({}), { provider: 'now', env: {} })
    const ops = await now.create(fake.context as ProviderContext<never>)
    expect(await ops.checkAuth().catch((e: unknown) => e)).toMatchObject({ code: 'AUTH_MISSING', fault: 'user', path: 'token', provider: 'now', details: { provider: 'now' } })
  })
})

describe('now rollback', () => {
  it('points the aliases back at the previous ready deployment of the same name', async () => {
    const api = nock(API, auth)
    api.get('/v13/deployments/dpl_2').reply(200, { uid: 'dpl_2', name: 'birds', state: 'READY', created: 2000 })
    api.get('/v2/deployments/dpl_2/aliases').reply(200, { aliases: [{ uid: 'a1', alias: 'birds.now.sh' }] })
    api.get('/v7/deployments').query({ app: 'birds', limit: '100' }).reply(200, {
      deployments: [
        { uid: 'dpl_2', name: 'birds', state: 'READY', created: 2000 },
        { uid: 'dpl_0', name: 'birds', state: 'READY', created: 1000 },
        { uid: 'dpl_1', name: 'birds', state: 'ERROR', created: 1500 },
        { uid: 'dpl_3', name: 'birds', state: 'READY', created: 3000 },
      ],
    })
    api.post('/v2/deployments/dpl_0/aliases', { alias: 'birds.now.sh' }).reply(200, { uid: 'a1', alias: 'birds.now.sh', created: '2018-01-01', oldDeploymentId: 'dpl_2' })
    const { ops } = await setup()
    expect(await ops.rollback('dpl_2')).toEqual({ provider: 'now', id: 'dpl_0', name: 'birds', url: 'https://birds.now.sh' })
  })

  it('refuses when the deployment has no alias to move', async () => {
    const api = nock(API, auth)
    api.get('/v13/deployments/dpl_2').reply(200, { uid: 'dpl_2', name: 'birds', state: 'READY', created: 2000 })
    api.get('/v2/deployments/dpl_2/aliases').reply(200, { aliases: [] })
    const { ops } = await setup()
    expect(await ops.rollback('dpl_2').catch((e: unknown) => e)).toMatchObject({ code: 'NOW_ROLLBACK_NO_ALIAS' })
  })

  it('reports an alias owned by someone else as NOW_ALIAS_IN_USE', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.post('/v4/now/deployments', createBody(ctx)).reply(200, { deploymentId: 'dpl_a', url: 'a.now.sh' })
    mockEvents(api, 'dpl_a', lines({ type: 'state-change', payload: { value: 'READY' } }))
    api.post('/now/deployments/dpl_a/aliases', { alias: 'taken.now.sh' }).reply(403, { error: { code: 'alias_in_use', message: 'The alias is already in use' } })
    const { ops } = await setup({ alias: ['taken.now.sh'] })
    expect(await ops.deploy(input(ctx)).catch((e: unknown) => e)).toMatchObject({ code: 'NOW_ALIAS_IN_USE', path: 'alias' })
  })
})

describe('now assignAliases (a migration switch)', () => {
  it('points every alias at the deployment; one already there counts as done', async () => {
    const api = nock(API, auth)
    api.post('/v2/deployments/dpl_9/aliases', { alias: 'birds.now.sh' }).reply(200, { uid: 'a1', alias: 'birds.now.sh' })
    api.post('/v2/deployments/dpl_9/aliases', { alias: 'birds.example.org' }).reply(409, { error: { code: 'alias_exists', alias: 'birds.example.org' } })
    const { ops } = await setup()
    expect(await ops.assignAliases!('dpl_9', ['birds.now.sh', 'birds.example.org'])).toEqual(['birds.now.sh', 'birds.example.org'])
  })

  it('says so when an alias belongs to someone else', async () => {
    nock(API, auth).post('/v2/deployments/dpl_9/aliases', { alias: 'taken.example.org' }).reply(403, { error: { code: 'alias_in_use', message: 'in use by another team' } })
    const { ops } = await setup()
    expect(await ops.assignAliases!('dpl_9', ['taken.example.org']).catch((e: unknown) => e)).toMatchObject({ code: 'NOW_ALIAS_IN_USE', fault: 'user' })
  })
})
