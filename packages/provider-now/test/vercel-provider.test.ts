import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { DeployInput, ProviderContext, ProviderOperations, PublishSpec } from '@datapub/core/kit'
import { createFakeContext, createTestSpec, describeProviderConformance } from '@datapub/core/testing'
import { HOST_CONTRACTS } from '../../../test/oracles/host-contracts.js'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { vercel } from '../src/index.js'
import { DATASETTE_PACKAGES } from '../src/vercel/vercel-eras.js'
import { CONTEXT_FILES, makeContext, sha1 } from './make-context.js'
import { EXPECTED_INDEX_PY, EXPECTED_REQUIREMENTS, EXPECTED_VERCEL_JSON } from './expected-vercel-app.js'

const { nock } = useHttpMock({ contracts: HOST_CONTRACTS })
type Scope = ReturnType<typeof nock>
const API = 'https://api.vercel.com'
const TOKEN = 'sentinel-vercel-token-0b7d3e'
const SECRET = 'sentinel-vercel-datasette-secret-5a5a'
const auth = { reqheaders: { authorization: `Bearer ${TOKEN}` } }

/** What the bundle holds for the default context: the app/ payload at the root plus the generated files. */
const BUNDLE: Record<string, string> = {
  'api/index.py': EXPECTED_INDEX_PY,
  'data.db': CONTEXT_FILES['app/data.db'],
  'inspect-data.json': CONTEXT_FILES['app/inspect-data.json'],
  'metadata.json': CONTEXT_FILES['app/metadata.json'],
  'requirements.txt': EXPECTED_REQUIREMENTS,
  'vercel.json': EXPECTED_VERCEL_JSON,
}
const bundleFiles = Object.entries(BUNDLE).map(([file, text]) => ({ file, sha: sha1(text), size: Buffer.byteLength(text) }))

const spec = (name: string, extra: Partial<PublishSpec> = {}): PublishSpec => createTestSpec(name, { metadata: { title: 'Birds' }, ...extra })

function createBody(project: string, extra: Record<string, unknown> = { target: 'production' }, name = project) {
  return { name: project, project: 'prj_1', files: bundleFiles, ...extra, projectSettings: { framework: null }, meta: { datapubName: name, datapubEnvNames: 'DATASETTE_SECRET' } }
}

/** Project lookup (404) and creation, the encrypted env upsert, create → missing_files → upload → create. */
function mockUpToCreate(api: Scope, project: string, missing: string[], body = createBody(project)) {
  api.get(`/v9/projects/${project}`).reply(404, { error: { code: 'not_found', message: 'Project not found' } })
  api.post('/v11/projects', { name: project }).reply(200, { id: 'prj_1', name: project })
  api
    .post('/v10/projects/prj_1/env', [{ key: 'DATASETTE_SECRET', value: SECRET, type: 'encrypted', target: ['production', 'preview'] }])
    .query({ upsert: 'true' })
    .reply(201, { created: { key: 'DATASETTE_SECRET' } })
  api.post('/v13/deployments', body).query({ skipAutoDetectionConfirmation: '1' }).reply(400, { error: { code: 'missing_files', message: 'Missing files', missing } })
  for (const sha of missing) {
    const entry = bundleFiles.find((f) => f.sha === sha)!
    api
      // nock hands JSON-looking bodies over parsed; compare those by value, the rest byte for byte.
      .post('/v2/files', (sent: unknown) => (typeof sent === 'string' ? sha1(sent) === sha : JSON.stringify(sent) === JSON.stringify(JSON.parse(BUNDLE[entry.file]!))))
      .matchHeader('content-type', 'application/octet-stream')
      .matchHeader('content-length', String(entry.size))
      .matchHeader('x-vercel-digest', sha)
      .matchHeader('x-now-size', String(entry.size))
      .reply(200, {})
  }
  api.post('/v13/deployments', body).query({ skipAutoDetectionConfirmation: '1' }).reply(200, { id: 'dpl_1', url: `${project}-abc.vercel.app`, readyState: 'QUEUED', name: project })
}

/** The URL a deploy returns is probed without the token: a public one serves the database list. */
function servesPublicly(host: string) {
  nock(`https://${host}`, { badheaders: ['authorization'] }).get('/-/databases.json').reply(200, [], { 'content-type': 'application/json' })
}

function input(ctx: Awaited<ReturnType<typeof makeContext>>, name = 'birds', extra: Partial<PublishSpec> = {}): DeployInput {
  return { name, artifact: { kind: 'bundle', dir: ctx.dir, files: ctx.files }, env: { DATASETTE_SECRET: SECRET }, spec: spec(name, extra), port: 8001, signal: new AbortController().signal }
}

async function setup(options: Record<string, unknown> = {}) {
  const fake = createFakeContext(vercel.options.parse({ token: TOKEN, pollInterval: 0, ...options }), { provider: 'vercel' })
  const ops: ProviderOperations = await vercel.create(fake.context as ProviderContext<never>)
  return { ...fake, ops }
}

describeProviderConformance(vercel, {
  validOptions: { token: TOKEN, project: 'birds', era: 'now2-50mb', setting: [['sql_time_limit_ms', '3500']] },
  invalidOptions: [
    { options: { project: 'Bad_Project' }, path: 'project' },
    { options: { project: 'x' }, path: 'project' },
    { options: { era: '1999' }, path: 'era' },
    { options: { token: 'short' }, path: 'token' },
    { options: { apiUrl: 'not a url' }, path: 'apiUrl' },
  ],
  sentinels: [TOKEN],
  badAuth: async () => {
    nock(API).get('/v2/user').reply(401, { error: { code: 'forbidden', message: 'Not authorized' } })
    return { options: {}, context: { env: { VERCEL_TOKEN: 'bad-token-00000' } } }
  },
  lifecycle: {
    async prepare() {
      const ctx = await makeContext()
      const api = nock(API, auth)
      api.get('/v2/user').reply(200, { user: { id: 'u1', username: 'simon', email: 'simon@example.com' } })
      mockUpToCreate(api, 'conformance', [sha1(BUNDLE['data.db']!), sha1(BUNDLE['api/index.py']!)])
      api.get('/v13/deployments/dpl_1').reply(200, { id: 'dpl_1', readyState: 'BUILDING', url: 'conformance-abc.vercel.app' })
      const ready = { id: 'dpl_1', name: 'conformance', readyState: 'READY', url: 'conformance-abc.vercel.app', target: 'production', aliasAssigned: true, alias: ['conformance.vercel.app'], projectId: 'prj_1', createdAt: 1_700_000_000_000, meta: { datapubName: 'conformance', datapubEnvNames: 'DATASETTE_SECRET' } }
      api.get('/v13/deployments/dpl_1').reply(200, ready)
      api.get('/v13/deployments/dpl_1').reply(200, ready)
      servesPublicly('conformance.vercel.app')
      api.get('/v7/deployments').query({ limit: '100' }).reply(200, { pagination: { count: 1, next: null, prev: null }, deployments: [{ uid: 'dpl_1', name: 'conformance', url: 'conformance-abc.vercel.app', readyState: 'READY', created: 1_700_000_000_000, target: 'production' }] })
      api.get('/v13/deployments/dpl_1').reply(200, ready)
      api.delete('/v13/deployments/dpl_1').reply(200, { uid: 'dpl_1', state: 'DELETED' })
      return {
        options: { token: TOKEN, pollInterval: 0 },
        deploy: { name: 'conformance', artifact: { kind: 'bundle', dir: ctx.dir, files: ctx.files }, env: { DATASETTE_SECRET: SECRET }, port: 8001, spec: spec('conformance') },
      }
    },
  },
})

describe('vercel deploy', () => {
  it('creates a production deployment, uploads what is missing, waits for the alias and returns the production URL', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    mockUpToCreate(api, 'birds', [sha1(BUNDLE['vercel.json']!), sha1(BUNDLE['requirements.txt']!)])
    api.get('/v13/deployments/dpl_1').reply(200, { id: 'dpl_1', readyState: 'BUILDING' })
    api.get('/v13/deployments/dpl_1').reply(200, { id: 'dpl_1', readyState: 'READY', aliasAssigned: false })
    api.get('/v13/deployments/dpl_1').reply(200, { id: 'dpl_1', readyState: 'READY', aliasAssigned: true, alias: ['birds.vercel.app'], url: 'birds-abc.vercel.app' })
    servesPublicly('birds.vercel.app')
    const { ops, events } = await setup()
    const result = await ops.deploy(input(ctx))
    expect(result).toEqual({ provider: 'vercel', id: 'dpl_1', name: 'birds', url: 'https://birds.vercel.app', project: 'birds', access: 'public' })
    expect(events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toEqual(['QUEUED', 'BUILDING', 'READY'])
    expect(JSON.stringify(events)).not.toContain(SECRET)
  })

  it('--no-prod makes a preview in the team scope, with --project, and an alias 409 counts as assigned', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    const team = { teamId: 'team_x' }
    const body = createBody('my-project', {}, 'birds')
    api.get('/v9/projects/my-project').query(team).reply(200, { id: 'prj_1', name: 'my-project' })
    api.post('/v10/projects/prj_1/env').query({ ...team, upsert: 'true' }).reply(201, {})
    api.post('/v13/deployments', body).query({ ...team, skipAutoDetectionConfirmation: '1' }).reply(200, { id: 'dpl_p', url: 'my-project-git.vercel.app', readyState: 'READY' })
    api.get('/v13/deployments/dpl_p').query(team).reply(200, { id: 'dpl_p', readyState: 'READY', url: 'my-project-git.vercel.app' })
    api.post('/v2/deployments/dpl_p/aliases', { alias: 'birds-preview.example.org' }).query(team).reply(409, { error: { code: 'alias_exists', uid: 'a1', alias: 'birds-preview.example.org' } })
    servesPublicly('birds-preview.example.org')
    const { ops } = await setup({ prod: false, project: 'my-project', scope: 'team_x', alias: ['birds-preview.example.org'] })
    const result = await ops.deploy({ ...input(ctx), spec: spec('birds') })
    expect(result.url).toBe('https://birds-preview.example.org')
    expect(result.id).toBe('dpl_p')
  })

  it('reports a failed build as VERCEL_BUILD_FAILED with an excerpt of the build log', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.get('/v9/projects/birds').reply(200, { id: 'prj_1' })
    api.post('/v10/projects/prj_1/env').query({ upsert: 'true' }).reply(201, {})
    api.post('/v13/deployments', createBody('birds')).query({ skipAutoDetectionConfirmation: '1' }).reply(200, { id: 'dpl_e', readyState: 'QUEUED' })
    api.get('/v13/deployments/dpl_e').reply(200, { id: 'dpl_e', readyState: 'ERROR', errorCode: 'BUILD_FAILED', errorMessage: 'Command "pip install" exited with 1' })
    api
      .get('/v3/deployments/dpl_e/events')
      .query({ builds: '1', direction: 'backward', limit: '30' })
      .reply(200, [
        { type: 'stderr', created: 3, payload: { text: 'ERROR: No matching distribution found for datasette-nope\n' } },
        { type: 'stdout', created: 2, payload: { text: 'Collecting datasette-nope' } },
        { type: 'delimiter', created: 1, payload: {} },
      ])
    const { ops } = await setup()
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VERCEL_BUILD_FAILED', fault: 'user', details: { errorCode: 'BUILD_FAILED', log: 'Collecting datasette-nope\nERROR: No matching distribution found for datasette-nope' } })
    expect((error as Error).message).toContain('BUILD_FAILED: Command "pip install" exited with 1')
  })

  it('refuses a bundle over the era limit before any API call, naming the files that push it over', async () => {
    const ctx = await makeContext({ 'app/big.db': randomBytes(3.5 * 1024 * 1024), 'app/mid.db': randomBytes(2 * 1024 * 1024) })
    const { ops } = await setup({ era: 'now2-5mb' })
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VERCEL_BUNDLE_TOO_LARGE', fault: 'user', details: { era: 'now2-5mb', limitBytes: 5 * 1024 * 1024 } })
    // Datasette as installed does not fit the 5 MB Now 2.0 lambda on its own: it is named too.
    expect((error as { details: { culprits: Array<{ file: string }> } }).details.culprits.map((c) => c.file)).toEqual([DATASETTE_PACKAGES.file, 'big.db'])
  })

  it('refuses a file over the per-file limit of the era', async () => {
    const ctx = await makeContext({ 'app/big.db': Buffer.alloc(6 * 1024 * 1024) })
    const { ops } = await setup({ era: 'now2-5mb' })
    const error = await ops.deploy(input(ctx)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VERCEL_FILE_TOO_LARGE', details: { files: [{ file: 'big.db', bytes: 6 * 1024 * 1024 }] } })
  })

  it('checks the default project name against the project rule', async () => {
    const ctx = await makeContext()
    const { ops } = await setup()
    expect(await ops.deploy(input(ctx, 'Birds_2')).catch((e: unknown) => e)).toMatchObject({ code: 'VERCEL_PROJECT_INVALID', path: 'name' })
  })

  it('maps 402 to VERCEL_PAYMENT_REQUIRED and retries a 429 after error.limit.resetMs', async () => {
    const ctx = await makeContext()
    const api = nock(API, auth)
    api.get('/v9/projects/birds').reply(200, { id: 'prj_1' })
    api.post('/v10/projects/prj_1/env').query({ upsert: 'true' }).reply(201, {})
    api.post('/v13/deployments', createBody('birds')).query({ skipAutoDetectionConfirmation: '1' }).reply(402, { error: { code: 'payment_required', message: 'Upgrade to Pro' } })
    const { ops } = await setup()
    expect(await ops.deploy(input(ctx)).catch((e: unknown) => e)).toMatchObject({ code: 'VERCEL_PAYMENT_REQUIRED', fault: 'user' })

    api.get('/v9/projects/birds').reply(200, { id: 'prj_1' })
    api.post('/v10/projects/prj_1/env').query({ upsert: 'true' }).reply(201, {})
    api
      .post('/v13/deployments', createBody('birds'))
      .query({ skipAutoDetectionConfirmation: '1' })
      .reply(429, { error: { code: 'rate_limited', message: 'Too many requests', limit: { remaining: 0, reset: 0, resetMs: Date.now(), total: 100 } } })
    api.post('/v13/deployments', createBody('birds')).query({ skipAutoDetectionConfirmation: '1' }).reply(200, { id: 'dpl_r', readyState: 'QUEUED' })
    api.get('/v13/deployments/dpl_r').reply(200, { id: 'dpl_r', readyState: 'READY', aliasAssigned: true, alias: ['birds.vercel.app'] })
    servesPublicly('birds.vercel.app')
    expect((await ops.deploy(input(ctx))).id).toBe('dpl_r')
  })

  it('warns that --extra-options has no effect on Vercel', async () => {
    const ctx = await makeContext()
    const { ops, events } = await setup({ era: 'now2-5mb' })
    await ops.deploy(input(ctx, 'Bad_Name', { extraOptions: ['--setting', 'x', 'y'] })).catch(() => undefined)
    expect(events).toEqual([])
    const big = await makeContext({ 'app/big.db': randomBytes(6 * 1024 * 1024) })
    await ops.deploy(input(big, 'birds', { extraOptions: ['--setting', 'x', 'y'] })).catch(() => undefined)
    expect(events).toEqual([expect.objectContaining({ type: 'warning', code: 'VERCEL_EXTRA_OPTIONS_IGNORED' })])
  })
})

describe('vercel rollback', () => {
  it('rolls the project back to the production deployment before this one', async () => {
    const api = nock(API, auth)
    api.get('/v13/deployments/dpl_3').reply(200, { id: 'dpl_3', projectId: 'prj_1', createdAt: 3000, readyState: 'READY', alias: ['birds.vercel.app'] })
    api
      .get('/v7/deployments')
      .query({ projectId: 'prj_1', target: 'production', limit: '100' })
      .reply(200, {
        pagination: { count: 4, next: null, prev: null },
        deployments: [
          { uid: 'dpl_3', created: 3000, readyState: 'READY', url: 'b3.vercel.app' },
          { uid: 'dpl_2', created: 2000, readyState: 'ERROR', url: 'b2.vercel.app' },
          { uid: 'dpl_1', created: 1000, readyState: 'READY', url: 'b1.vercel.app', meta: { datapubName: 'birds' } },
          { uid: 'dpl_0', created: 500, readyState: 'READY', url: 'b0.vercel.app' },
        ],
      })
    api.post('/v1/projects/prj_1/rollback/dpl_1').reply(201)
    const { ops } = await setup()
    expect(await ops.rollback('dpl_3')).toEqual({ provider: 'vercel', id: 'dpl_1', name: 'birds', url: 'https://birds.vercel.app' })
  })

  it('says so when there is nothing to roll back to', async () => {
    const api = nock(API, auth)
    api.get('/v13/deployments/dpl_1').reply(200, { id: 'dpl_1', projectId: 'prj_1', createdAt: 1000 })
    api.get('/v7/deployments').query({ projectId: 'prj_1', target: 'production', limit: '100' }).reply(200, { pagination: { count: 1, next: null, prev: null }, deployments: [{ uid: 'dpl_1', created: 1000, readyState: 'READY' }] })
    const { ops } = await setup()
    expect(await ops.rollback('dpl_1').catch((e: unknown) => e)).toMatchObject({ code: 'VERCEL_NO_PREVIOUS_DEPLOYMENT' })
  })
})

describe('vercel assignAliases (a migration switch)', () => {
  it('points every alias at the deployment', async () => {
    nock(API, auth).post('/v2/deployments/dpl_v9/aliases', { alias: 'census.example.org' }).reply(200, { uid: 'al_1', alias: 'census.example.org' })
    const { ops } = await setup()
    expect(await ops.assignAliases!('dpl_v9', ['census.example.org'])).toEqual(['census.example.org'])
  })
})
