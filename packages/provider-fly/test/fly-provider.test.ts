import { describe, expect, it } from 'vitest'
import { createFakeContext, createTestSpec, describeProviderConformance } from '@datapub/core/testing'
import type { DeployInput, ProviderContext, ProviderOperations } from '@datapub/core/kit'
import { fly } from '../src/index.js'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { DIGEST, OLD_DIGEST, SENTINEL_TOKEN, appJson, imageOf, logsJson, machineJson, machinesApi, platformApi } from './fly-mock.js'

const { nock } = useHttpMock()
const SECRET_ENV = 'sentinel-fly-datasette-secret-91b'
const image = { kind: 'image' as const, ref: imageOf('birds'), digest: DIGEST }
const WAIT = { state: 'started', timeout: '60' }

function deployInput(name: string, env: Record<string, string> = { DATASETTE_SECRET: SECRET_ENV }): DeployInput {
  return { name, artifact: { ...image, ref: imageOf(name) }, env, port: 8001, signal: new AbortController().signal, spec: createTestSpec(name) }
}

async function operations(options: Record<string, unknown> = {}, env: Record<string, string> = { FLY_API_TOKEN: SENTINEL_TOKEN }) {
  const fake = createFakeContext(fly.options.parse({ pollInterval: 1, ...options }), { provider: 'fly', env })
  return { ops: (await fly.create(fake.context as ProviderContext<never>)) as ProviderOperations, events: fake.events, logs: fake.logs }
}

/** The Machines API side of a first deploy of `name` (no app, no machines, no IPs), capturing the machine create body. */
function mockFirstDeploy(name: string, onCreate: (body: Record<string, unknown>) => void = () => {}): void {
  const api = machinesApi(nock)
  api.get(`/v1/apps/${name}`).reply(404, { error: 'app not found' })
  api.post('/v1/apps', { name, org_slug: 'personal' }).query({ wait: 'true' }).reply(201, { id: `id-${name}`, created_at: 1 })
  api.get(`/v1/apps/${name}`).reply(200, appJson(name))
  api.post(`/v1/apps/${name}/secrets`, { values: { DATASETTE_SECRET: SECRET_ENV } }).reply(200, { secrets: [{ name: 'DATASETTE_SECRET', digest: 'ab12' }], version: 3 })
  api.get(`/v1/apps/${name}/volumes`).reply(200, [])
  api.get(`/v1/apps/${name}/machines`).reply(200, [])
  api
    .post(`/v1/apps/${name}/machines`, (body: Record<string, unknown>) => (onCreate(body), true))
    .reply(200, machineJson(name, { id: 'e2865013a12345', state: 'created', instance: '01JNEW', checks: [] }))
  api.get(`/v1/apps/${name}/machines/e2865013a12345/wait`).query({ ...WAIT, version: '01JNEW' }).reply(200, { ok: true })
  api.get(`/v1/apps/${name}/machines/e2865013a12345`).reply(200, machineJson(name, { id: 'e2865013a12345', instance: '01JNEW', checks: [{ status: 'critical', output: 'connection refused' }] }))
  api.get(`/v1/apps/${name}/machines/e2865013a12345`).reply(200, machineJson(name, { id: 'e2865013a12345', instance: '01JNEW' }))
  api.get(`/v1/apps/${name}/ip_assignments`).reply(200, { ips: [] })
  api.post(`/v1/apps/${name}/ip_assignments`, { type: 'v6', org_slug: 'personal' }).reply(200, { ip: '2a09:8280:1::4b:1', region: 'global', shared: false })
  api.post(`/v1/apps/${name}/ip_assignments`, { type: 'shared_v4', org_slug: 'personal' }).reply(200, { ip: '66.241.124.7', region: 'global', shared: true })
}

describeProviderConformance(fly, {
  validOptions: { token: SENTINEL_TOKEN, org: 'my-team', region: 'ams', memory: 512, cpus: 1, machines: 2, autoStop: 'suspend', autoStart: false },
  invalidOptions: [
    { options: { memory: 300 }, path: 'memory' },
    { options: { memory: 4096, cpus: 1 }, path: 'memory' },
    { options: { cpuKind: 'performance', memory: 1024 }, path: 'memory' },
    { options: { region: 'Amsterdam' }, path: 'region' },
    { options: { createVolume: 1 }, path: 'region' },
    { options: { createVolume: 1, region: 'ams', machines: 2 }, path: 'machines' },
    { options: { volumeName: 'My-Data' }, path: 'volumeName' },
    { options: { createDb: '../etc' }, path: 'createDb' },
    { options: { autoStop: 'sometimes' }, path: 'autoStop' },
    { options: { registryUrl: 'ftp://registry.example' }, path: 'registryUrl' },
    { options: { apiUrl: 'not a url' }, path: 'apiUrl' },
    { options: { appUrl: 'https://example.com/' }, path: 'appUrl' },
  ],
  sentinels: [SENTINEL_TOKEN],
  badAuth: async () => {
    machinesApi(nock, 'wrong-fly-token-1234').get('/v1/apps').query({ org_slug: 'personal' }).reply(401, { error: 'You must be authenticated to view this.' })
    return { options: { token: 'wrong-fly-token-1234' } }
  },
  lifecycle: {
    async prepare() {
      const api = machinesApi(nock)
      api.get('/v1/apps').query({ org_slug: 'personal' }).reply(200, { total_apps: 0, apps: [] })
      mockFirstDeploy('birds')
      // status
      api.get('/v1/apps/birds').reply(200, appJson('birds'))
      api.get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'e2865013a12345' })])
      // list: an app datapub did not make is left out
      api.get('/v1/apps').query({ org_slug: 'personal' }).reply(200, { total_apps: 2, apps: [{ id: 'id-birds', name: 'birds' }, { id: 'id-blog', name: 'blog' }] })
      api.get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'e2865013a12345' })])
      api.get('/v1/apps/blog/machines').reply(200, [{ ...machineJson('blog', { id: '9080e6f3a12345' }), config: { image: 'nginx', metadata: {} } }])
      // export
      api.get('/v1/apps/birds').reply(200, appJson('birds'))
      api.get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'e2865013a12345' })])
      api.get('/v1/apps/birds/secrets').reply(200, { secrets: [{ name: 'DATASETTE_SECRET', digest: 'ab12' }] })
      api.get('/v1/apps/birds/volumes').reply(200, [])
      // destroy
      api.get('/v1/apps/birds').reply(200, appJson('birds'))
      api.delete('/v1/apps/birds').reply(202)
      return { options: { token: SENTINEL_TOKEN, pollInterval: 1 }, deploy: { name: 'birds', artifact: image, env: { DATASETTE_SECRET: SECRET_ENV }, port: 8001 } }
    },
  },
})

describe('fly auth', () => {
  it('refuses a missing token before any call, naming FLY_API_TOKEN', async () => {
    const { ops } = await operations({}, {})
    const error = await ops.checkAuth().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'AUTH_MISSING', fault: 'user', path: 'token' })
    expect((error as Error).message).toContain('FLY_API_TOKEN')
  })

  it('sends macaroon tokens (fm2_) as FlyV1, as flyctl does, and reads --token over the environment', async () => {
    machinesApi(nock, 'fm2_sentinelmacaroon').get('/v1/apps').query({ org_slug: 'personal' }).reply(200, { apps: [] })
    const { ops } = await operations({ token: 'fm2_sentinelmacaroon' }, { FLY_API_TOKEN: 'ignored-env-token' })
    await expect(ops.checkAuth()).resolves.toMatchObject({ org: 'personal', apps: 0 })
  })

  it('maps a 404 organisation to FLY_ORG_NOT_FOUND', async () => {
    machinesApi(nock).get('/v1/apps').query({ org_slug: 'nope' }).reply(404, { error: 'organization nope not found' })
    const { ops } = await operations({ org: 'nope' })
    await expect(ops.checkAuth()).rejects.toMatchObject({ code: 'FLY_ORG_NOT_FOUND', fault: 'user' })
  })
})

describe('fly push target', () => {
  it('pushes to registry.fly.io/<app> with username x and the token, after making sure the app exists', async () => {
    machinesApi(nock).get('/v1/apps/birds').reply(200, appJson('birds'))
    const { ops } = await operations()
    const target = await ops.pushTarget!({ name: 'birds', spec: createTestSpec('birds'), contextHash: `sha256:${'e'.repeat(64)}` })
    expect(target).toEqual({ registry: 'registry.fly.io', repository: 'birds', tags: [`ctx-${'e'.repeat(40)}`], credentials: { username: 'x', password: SENTINEL_TOKEN }, manifestFormat: 'docker-v2' })
  })

  it('sends no Fly token to another registry', async () => {
    machinesApi(nock).get('/v1/apps/birds').reply(200, appJson('birds'))
    const { ops } = await operations({ registryUrl: '127.0.0.1:5000' })
    const target = await ops.pushTarget!({ name: 'birds', spec: createTestSpec('birds'), contextHash: 'sha256:0123' })
    expect(target).toMatchObject({ registry: '127.0.0.1:5000', insecure: true })
    expect(target.credentials).toBeUndefined()
  })

  it('reports a name held by another organisation (403 on read) before anything is pushed', async () => {
    machinesApi(nock).get('/v1/apps/taken').reply(403, { error: 'unauthorized' })
    const { ops } = await operations()
    await expect(ops.pushTarget!({ name: 'taken', spec: createTestSpec('taken'), contextHash: 'sha256:0' })).rejects.toMatchObject({ code: 'FLY_APP_NAME_TAKEN', fault: 'user' })
  })

  it('reports name_taken on create as FLY_APP_NAME_TAKEN with Fly\'s message', async () => {
    machinesApi(nock).get('/v1/apps/taken').reply(404, { error: 'app not found' })
    machinesApi(nock).post('/v1/apps', { name: 'taken', org_slug: 'personal' }).query({ wait: 'true' }).reply(422, { error: 'Validation failed: Name has already been taken', status: 'name_taken' })
    const { ops } = await operations()
    const error = await ops.pushTarget!({ name: 'taken', spec: createTestSpec('taken'), contextHash: 'sha256:0' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FLY_APP_NAME_TAKEN', fault: 'user' })
    expect((error as Error).message).toContain('already been taken')
  })
})

describe('fly deploy', () => {
  it('creates the app, sets secrets as app secrets, launches a machine with PORT, an HTTP service and a check on /, waits for it, allocates IPv6 and shared IPv4', async () => {
    let created: Record<string, unknown> = {}
    mockFirstDeploy('birds', (body) => (created = body))
    const { ops, events, logs } = await operations({ region: 'ams' })
    const result = await ops.deploy(deployInput('birds'))
    expect(result).toMatchObject({ provider: 'fly', id: 'birds', url: 'https://birds.fly.dev', imageDigest: DIGEST, machines: ['e2865013a12345'], release: '01JNEW' })
    expect(created).toMatchObject({
      region: 'ams',
      min_secrets_version: 3,
      config: {
        image: imageOf('birds'),
        env: { PORT: '8001' },
        guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
        services: [{ protocol: 'tcp', internal_port: 8001, autostop: 'stop', autostart: true, min_machines_running: 0, ports: [{ port: 80, handlers: ['http'], force_https: true }, { port: 443, handlers: ['tls', 'http'] }], checks: [{ type: 'http', method: 'GET', path: '/' }] }],
        metadata: { managed_by: 'datapub', fly_process_group: 'app' },
      },
    })
    // The secret is an app secret only: never in the machine config, events or logs.
    expect(JSON.stringify(created)).not.toContain(SECRET_ENV)
    expect(JSON.stringify(events) + logs.join('\n')).not.toContain(SECRET_ENV)
    expect(JSON.stringify(events) + logs.join('\n')).not.toContain(SENTINEL_TOKEN)
    expect(events.map((e) => (e.type === 'deploy:status' ? e.state : e.type))).toEqual(expect.arrayContaining(['creating', 'secrets', 'launched', 'waiting', 'ip', 'ready']))
  })

  it('republishes beside the old machine and destroys it only once the new one passes its check; IPs are not allocated twice', async () => {
    const api = machinesApi(nock)
    const old = machineJson('birds', { id: '0ld0000000aaaa', image: imageOf('birds', OLD_DIGEST) })
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.get('/v1/apps/birds/machines').reply(200, [old])
    let created: { config: { metadata: Record<string, string> } } | undefined
    api.post('/v1/apps/birds/machines', (b: typeof created) => ((created = b), true)).reply(200, machineJson('birds', { id: 'new0000000bbbb', state: 'created', instance: '01JB' }))
    api.get('/v1/apps/birds/machines/new0000000bbbb/wait').query({ ...WAIT, version: '01JB' }).reply(200, { ok: true })
    const order: string[] = []
    api.get('/v1/apps/birds/machines/new0000000bbbb').reply(200, () => (order.push('new healthy'), machineJson('birds', { id: 'new0000000bbbb', instance: '01JB' })))
    api.delete('/v1/apps/birds/machines/0ld0000000aaaa').query({ kill: 'true' }).reply(200, () => (order.push('old destroyed'), { ok: true }))
    api.get('/v1/apps/birds/ip_assignments').reply(200, { ips: [{ ip: '2a09:8280:1::4b:1', shared: false }, { ip: '66.241.124.7', shared: true }] })
    const { ops } = await operations()
    await ops.deploy(deployInput('birds', {}))
    expect(order).toEqual(['new healthy', 'old destroyed'])
    // The image it replaced is recorded for rollback.
    expect(created?.config.metadata.datapub_previous_image).toBe(imageOf('birds', OLD_DIGEST))
  })

  it('a machine that exits leaves the previous one serving: the new one is destroyed and the error carries its state and exit code', async () => {
    const api = machinesApi(nock)
    const old = machineJson('birds', { id: '0ld0000000aaaa', image: imageOf('birds', OLD_DIGEST) })
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.get('/v1/apps/birds/machines').reply(200, [old])
    api.post('/v1/apps/birds/machines').reply(200, machineJson('birds', { id: 'bad0000000cccc', state: 'created', instance: '01JC' }))
    api.get('/v1/apps/birds/machines/bad0000000cccc/wait').query({ ...WAIT, version: '01JC' }).reply(408, { error: 'deadline_exceeded: machine did not reach state started' })
    api.get('/v1/apps/birds/machines/bad0000000cccc').reply(200, machineJson('birds', { id: 'bad0000000cccc', instance: '01JC', state: 'stopped', checks: [{ status: 'critical', output: 'connection refused' }], events: [{ type: 'exit', status: 'stopped', request: { exit_event: { exit_code: 2, oom_killed: false } } }] }))
    api.delete('/v1/apps/birds/machines/bad0000000cccc').query({ kill: 'true' }).reply(200, { ok: true })
    // The machine's log since its last update (updated_at 10:00:05), as flyctl shows it; the older line is another run's.
    platformApi(nock)
      .get('/api/v1/apps/birds/logs')
      .query({ instance: 'bad0000000cccc', region: 'ams' })
      .reply(200, logsJson([
        { timestamp: '2026-12-02T09:59:00Z', message: 'an earlier run', instance: 'bad0000000cccc' },
        { timestamp: '2026-12-02T10:00:06Z', message: `Error: no such option: --bogus (token ${SENTINEL_TOKEN})`, instance: 'bad0000000cccc' },
      ]))
    const { ops } = await operations()
    const error = await ops.deploy(deployInput('birds', {})).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FLY_MACHINE_UNHEALTHY', fault: 'user', details: { machine: 'bad0000000cccc', state: 'stopped', exitCode: 2, logTail: ['Error: no such option: --bogus (token [REDACTED])'] } })
    expect((error as Error).message).toContain('connection refused')
    expect((error as Error).message).toContain('--- machine log (last lines) ---\nError: no such option: --bogus')
    expect((error as Error).message).not.toContain('an earlier run')
    expect((error as Error).message).not.toContain(SENTINEL_TOKEN)
  })

  it('times out with FLY_MACHINE_TIMEOUT when the check never passes, and removes the new machine', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.get('/v1/apps/birds/machines').reply(200, [])
    api.post('/v1/apps/birds/machines').reply(200, machineJson('birds', { id: 'slo0000000dddd', state: 'created', instance: '01JD' }))
    api.get('/v1/apps/birds/machines/slo0000000dddd/wait').query(true).reply(200, { ok: true })
    api.get('/v1/apps/birds/machines/slo0000000dddd').times(1000).optionally().reply(200, machineJson('birds', { id: 'slo0000000dddd', instance: '01JD', checks: [{ status: 'critical', output: '500 Internal Server Error' }] }))
    api.delete('/v1/apps/birds/machines/slo0000000dddd').query({ kill: 'true' }).reply(200, { ok: true })
    // A deploy token may not read logs (flyctl warns "not authorized to retrieve app logs"): the timeout stands as it is.
    platformApi(nock).get('/api/v1/apps/birds/logs').query({ instance: 'slo0000000dddd', region: 'ams' }).reply(401, { errors: [{ detail: 'You must be authenticated to view this.' }] })
    const { ops } = await operations({ readyTimeout: 10, pollInterval: 1000 })
    const started = Date.now()
    const error = await ops.deploy(deployInput('birds', {})).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FLY_MACHINE_TIMEOUT', fault: 'host' })
    expect((error as Error).message).toContain('500 Internal Server Error')
    expect((error as { details?: Record<string, unknown> }).details?.logTail).toBeUndefined()
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 20_000)

  it('creates the volume on the first publish and mounts it at /data', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/notes').reply(200, appJson('notes'))
    api.get('/v1/apps/notes/volumes').reply(200, [])
    api.post('/v1/apps/notes/volumes', { name: 'datasette', region: 'ams', size_gb: 2 }).reply(200, { id: 'vol_123', name: 'datasette', state: 'created', size_gb: 2, region: 'ams', attached_machine_id: null })
    api.get('/v1/apps/notes/machines').reply(200, [])
    let created: { region?: string; config: { mounts?: unknown; metadata: Record<string, string> } } | undefined
    api.post('/v1/apps/notes/machines', (b: typeof created) => ((created = b), true)).reply(200, machineJson('notes', { id: 'v0l0000000eeee', state: 'created', instance: '01JE' }))
    api.get('/v1/apps/notes/machines/v0l0000000eeee/wait').query({ ...WAIT, version: '01JE' }).reply(200, { ok: true })
    api.get('/v1/apps/notes/machines/v0l0000000eeee').reply(200, machineJson('notes', { id: 'v0l0000000eeee', instance: '01JE' }))
    api.get('/v1/apps/notes/ip_assignments').reply(200, { ips: [{ ip: '2a09::1' }, { ip: '66.241.124.7' }] })
    const { ops } = await operations({ region: 'ams', createVolume: 2, createDb: 'notes' })
    const result = await ops.deploy(deployInput('notes', {}))
    expect(created).toMatchObject({ region: 'ams', config: { mounts: [{ volume: 'vol_123', path: '/data' }], metadata: { datapub_create_db: 'notes' } } })
    expect(result).toMatchObject({ volume: 'vol_123' })
  })

  it('remounts an existing volume: the machine holding it is updated in place under a lease', async () => {
    const api = machinesApi(nock)
    const holder = machineJson('notes', { id: 'h0ld000000ffff', image: imageOf('notes', OLD_DIGEST), mounts: [{ volume: 'vol_123', path: '/data' }] })
    api.get('/v1/apps/notes').reply(200, appJson('notes'))
    api.get('/v1/apps/notes/volumes').reply(200, [{ id: 'vol_123', name: 'datasette', state: 'created', size_gb: 2, region: 'ams', attached_machine_id: 'h0ld000000ffff' }])
    api.get('/v1/apps/notes/machines').reply(200, [holder])
    api.post('/v1/apps/notes/machines/h0ld000000ffff/lease').query({ ttl: '360' }).reply(200, { status: 'success', data: { nonce: 'n0nce1', expires_at: 1, owner: 'me' } })
    const update = nock('https://api.machines.dev', { reqheaders: { 'fly-machine-lease-nonce': 'n0nce1', authorization: `Bearer ${SENTINEL_TOKEN}` } })
    let sent: { config: { image: string; mounts: unknown } } | undefined
    update.post('/v1/apps/notes/machines/h0ld000000ffff', (b: typeof sent) => ((sent = b), true)).reply(200, machineJson('notes', { id: 'h0ld000000ffff', state: 'replacing', instance: '01JF2' }))
    api.get('/v1/apps/notes/machines/h0ld000000ffff/wait').query({ ...WAIT, version: '01JF2' }).reply(200, { ok: true })
    api.get('/v1/apps/notes/machines/h0ld000000ffff').reply(200, machineJson('notes', { id: 'h0ld000000ffff', instance: '01JF2' }))
    update.delete('/v1/apps/notes/machines/h0ld000000ffff/lease').reply(200, { ok: true })
    api.get('/v1/apps/notes/ip_assignments').reply(200, { ips: [{ ip: '2a09::1' }, { ip: '66.241.124.7' }] })
    const { ops } = await operations({ region: 'ams' })
    await ops.deploy(deployInput('notes', {}))
    expect(sent?.config).toMatchObject({ image: imageOf('notes'), mounts: [{ volume: 'vol_123', path: '/data' }] })
  })

  it('reports a lease held by another deploy as FLY_MACHINE_LEASED', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/notes').reply(200, appJson('notes'))
    api.get('/v1/apps/notes/volumes').reply(200, [{ id: 'vol_123', name: 'datasette', state: 'created', size_gb: 2, region: 'ams', attached_machine_id: 'h0ld000000ffff' }])
    api.get('/v1/apps/notes/machines').reply(200, [machineJson('notes', { id: 'h0ld000000ffff', mounts: [{ volume: 'vol_123', path: '/data' }] })])
    api.post('/v1/apps/notes/machines/h0ld000000ffff/lease').query(true).reply(409, { error: 'machine ID h0ld000000ffff lease currently held by someone@example.com' })
    const { ops } = await operations()
    await expect(ops.deploy(deployInput('notes', {}))).rejects.toMatchObject({ code: 'FLY_MACHINE_LEASED', fault: 'user' })
  })

  it('needs a volume for --create-db: FLY_VOLUME_MISSING names --create-volume', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/notes').reply(200, appJson('notes'))
    api.get('/v1/apps/notes/machines').reply(200, [])
    api.get('/v1/apps/notes/volumes').reply(200, [])
    const { ops } = await operations({ createDb: 'notes' })
    await expect(ops.deploy(deployInput('notes', {}))).rejects.toMatchObject({ code: 'FLY_VOLUME_MISSING', path: 'createVolume' })
  })

  it('maps a refused machine config (400) to FLY_MACHINE_CONFIG_INVALID with Fly\'s message', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.get('/v1/apps/birds/machines').reply(200, [])
    api.post('/v1/apps/birds/machines').reply(400, { error: 'invalid memory size 768MB for shared-cpu-1x' })
    const { ops } = await operations({ memory: 768 })
    const error = await ops.deploy(deployInput('birds', {})).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FLY_MACHINE_CONFIG_INVALID', fault: 'user' })
    expect((error as Error).message).toContain('invalid memory size')
  })
})

describe('fly rollback, destroy, status', () => {
  it('rolls back to the image the last publish replaced, healthy before the current machine goes', async () => {
    const api = machinesApi(nock)
    const current = machineJson('birds', { id: 'cur0000000aaaa', metadata: { datapub_previous_image: imageOf('birds', OLD_DIGEST) } })
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/machines').reply(200, [current])
    let sent: { config: { image: string; metadata: Record<string, string> } } | undefined
    api.post('/v1/apps/birds/machines', (b: typeof sent) => ((sent = b), true)).reply(200, machineJson('birds', { id: 'rb00000000bbbb', state: 'created', instance: '01JR' }))
    api.get('/v1/apps/birds/machines/rb00000000bbbb/wait').query({ ...WAIT, version: '01JR' }).reply(200, { ok: true })
    api.get('/v1/apps/birds/machines/rb00000000bbbb').reply(200, machineJson('birds', { id: 'rb00000000bbbb', instance: '01JR', image: imageOf('birds', OLD_DIGEST) }))
    api.delete('/v1/apps/birds/machines/cur0000000aaaa').query({ kill: 'true' }).reply(200, { ok: true })
    const { ops } = await operations()
    const result = await ops.rollback('birds')
    expect(sent?.config.image).toBe(imageOf('birds', OLD_DIGEST))
    // Rolling back again returns to the image just left.
    expect(sent?.config.metadata.datapub_previous_image).toBe(imageOf('birds'))
    expect(result).toMatchObject({ imageDigest: OLD_DIGEST, machines: ['rb00000000bbbb'] })
  })

  it('refuses a rollback with no recorded previous image', async () => {
    machinesApi(nock).get('/v1/apps/birds').reply(200, appJson('birds'))
    machinesApi(nock).get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'cur0000000aaaa' })])
    const { ops } = await operations()
    await expect(ops.rollback('birds')).rejects.toMatchObject({ code: 'FLY_NO_PREVIOUS_IMAGE', fault: 'user' })
  })

  it('destroy and status of an unknown app are DEPLOYMENT_NOT_FOUND', async () => {
    machinesApi(nock).get('/v1/apps/ghost').reply(404, { error: 'app not found' })
    machinesApi(nock).get('/v1/apps/ghost').reply(404, { error: 'app not found' })
    const { ops } = await operations()
    await expect(ops.destroy('ghost')).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
    await expect(ops.status('ghost')).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })

  it('status says idle when the proxy auto-stopped every machine, and lists its machines', async () => {
    machinesApi(nock).get('/v1/apps/birds').reply(200, appJson('birds'))
    machinesApi(nock).get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'cur0000000aaaa', state: 'stopped', checks: [] })])
    const { ops } = await operations({ appUrl: 'https://{app}.example.test/' })
    await expect(ops.status('birds')).resolves.toMatchObject({ id: 'birds', state: 'idle', url: 'https://birds.example.test/', machines: [{ id: 'cur0000000aaaa', state: 'stopped' }] })
  })

  it('exports secret names, sizes and the volume, never secret values', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/notes').reply(200, appJson('notes', 'my-team'))
    api.get('/v1/apps/notes/machines').reply(200, [machineJson('notes', { id: 'h0ld000000ffff', mounts: [{ volume: 'vol_123', path: '/data' }], metadata: { datapub_create_db: 'notes' } })])
    api.get('/v1/apps/notes/secrets').reply(200, { secrets: [{ name: 'DATASETTE_SECRET', digest: 'x' }, { name: 'PLUGIN_KEY', digest: 'y' }] })
    api.get('/v1/apps/notes/volumes').reply(200, [{ id: 'vol_123', name: 'datasette', size_gb: 2, region: 'ams' }])
    const { ops } = await operations()
    const descriptor = await ops.export('notes')
    expect(descriptor).toMatchObject({
      provider: 'fly',
      image: { ref: imageOf('notes'), digest: DIGEST, registry: 'registry.fly.io' },
      options: { org: 'my-team', region: 'ams', machines: 1, memory: 256, cpuKind: 'shared', volumeName: 'datasette', volumeSizeGb: 2, createDb: 'notes', port: 8001 },
      envNames: ['DATASETTE_SECRET', 'PLUGIN_KEY'],
    })
  })
})

describe('fly cancellation', () => {
  it('Ctrl-C while a new machine boots destroys it and leaves the old one serving', async () => {
    const api = machinesApi(nock)
    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: '0ld0000000aaaa', image: imageOf('birds', OLD_DIGEST) })])
    api.post('/v1/apps/birds/machines').reply(200, machineJson('birds', { id: 'new0000000bbbb', state: 'created', instance: '01JX' }))
    const controller = new AbortController()
    // The wait is where Ctrl-C lands: Fly holds it open until the machine starts.
    api.get('/v1/apps/birds/machines/new0000000bbbb/wait').query(true).delay(5000).reply(200, { ok: true })
    api.get('/v1/apps/birds/machines/new0000000bbbb').optionally().reply(200, machineJson('birds', { id: 'new0000000bbbb', instance: '01JX', checks: [{ status: 'critical' }] }))
    api.delete('/v1/apps/birds/machines/new0000000bbbb').query({ kill: 'true' }).reply(200, { ok: true })
    const { ops } = await operations()
    setTimeout(() => controller.abort(), 200)
    const error = await ops.deploy({ ...deployInput('birds', {}), signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ABORTED' })
  })
})
