import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, createLogger, exportDeployment, planPublish, publish, type PublishRequest } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { main } from '@datapub/cli'
import { useHttpMock } from '../../helpers/http-mock.js'
import { createSecretScan, type SecretScan } from '../../helpers/secret-scan.js'
import { API as HEROKU, LATEST_RANGE, ACCEPT_DOCKER, SENTINEL_KEY as HEROKU_KEY, app, dyno, platform, release } from '../../../packages/provider-heroku/test/heroku-mock.js'
import { ACCESS_TOKEN, CLIENT_SECRET, PARENT, PROJECT, REFRESH_TOKEN, ALT, mockTokenExchange, runApi, writeAdcFile } from '../../../packages/provider-cloudrun/test/google-api-mock.js'
import { SENTINEL_TOKEN as FLY_TOKEN, appJson, machineJson, machinesApi } from '../../../packages/provider-fly/test/fly-mock.js'
import { CONFIG_DIGEST, MANIFEST_DIGEST, fakeImageStages } from './fake-image-stages.js'

const { nock } = useHttpMock()
const DATASETTE_SECRET = 'sentinel-datasette-secret-3b9d41'
const PLUGIN_SECRET = 'sentinel-plugin-secret-8e21f0'
const NOW_TOKEN = 'sentinel-now-token-a71c33'
const VERCEL_TOKEN = 'sentinel-vercel-token-52be90'
const REGISTRY_PASSWORD = 'sentinel-registry-password-0d4e'
const SENTINELS = [DATASETTE_SECRET, PLUGIN_SECRET, HEROKU_KEY, NOW_TOKEN, VERCEL_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, ACCESS_TOKEN, REGISTRY_PASSWORD, FLY_TOKEN]

let work: string
let adcFile: string
let scan: SecretScan
let logs: string[]

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'datapub-secrets-'))
  await writeFile(path.join(work, 'birds.csv'), 'id,name\n1,robin\n')
  adcFile = await writeAdcFile()
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
  await rm(path.dirname(adcFile), { recursive: true, force: true })
})
afterEach(() => {
  // The scan is the assertion of every test here: nothing a consumer can see holds a sentinel.
  for (const line of logs) scan.text('log', line)
  expect(scan.scanned, 'the scan saw nothing').toBeGreaterThan(0)
  expect(scan.hits()).toEqual([])
})

function fresh(): void {
  scan = createSecretScan(SENTINELS)
  logs = []
}

const common = { secret: DATASETTE_SECRET, pluginSecret: [['datasette-auth', 'client_secret', PLUGIN_SECRET]] as Array<[string, string, string]>, title: 'Birds' }

async function run(request: Omit<PublishRequest, 'files' | 'cwd'>, services: Record<string, unknown> = {}) {
  const logger = createLogger((level, line) => logs.push(`${level}: ${line}`))
  const container = createContainer({ Env: {}, Logger: logger, ...services })
  const recorded = await recordEvents(publish({ files: ['birds.csv'], cwd: work, container, ...request, options: { ...common, ...request.options } }))
  for (const event of recorded.events) scan.text(`event ${event.type}`, event)
  scan.text('result', recorded.result)
  scan.error('error', recorded.error)
  return recorded
}

/** The CLI, in-process, with --debug (cause chains printed) and then --json. */
async function cli(argv: string[]): Promise<number[]> {
  const codes: number[] = []
  for (const extra of [['--debug'], ['--debug', '--json']]) {
    let out = ''
    codes.push(await main([...argv, ...extra], { stdout: (t) => void (out += t), stderr: (t) => void (out += t), cwd: work, env: {}, isTTY: false }))
    scan.text(`CLI ${extra.join(' ')}`, out)
  }
  return codes
}

function mockHerokuDeploy(name: string, onConfig: (body: Record<string, string>) => void): void {
  platform(nock).get('/account').reply(200, { id: 'acc-1', email: 'me@example.com' })
  platform(nock).get(`/apps/${name}`).times(2).reply(200, app(name))
  platform(nock)
    .patch(`/apps/${name}/config-vars`, (body: Record<string, string>) => (onConfig(body), true))
    .reply(200, (_uri, body) => body as Record<string, string>)
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(3, 'succeeded')])
  platform(nock, { accept: ACCEPT_DOCKER }).patch(`/apps/${name}/formation`, { updates: [{ type: 'web', docker_image: CONFIG_DIGEST }] }).reply(200, [])
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(4, 'succeeded')])
  platform(nock).get(`/apps/${name}/dynos`).reply(200, [dyno('up', 4)])
}

describe('no sentinel token reaches logs, errors, events, plans, contexts or descriptors', () => {
  it('heroku: a full publish hands the key to the push and the secrets to config vars, and shows them nowhere else', async () => {
    fresh()
    let configVars: Record<string, string> = {}
    mockHerokuDeploy('birds', (body) => (configVars = body))
    const stages = fakeImageStages()
    const recorded = await run({ provider: 'heroku', options: { name: 'birds' }, providerOptions: { apiKey: HEROKU_KEY, pollInterval: 1 } }, stages.services)
    expect(recorded.error?.toJSON()).toBeUndefined()
    // The secrets did travel where they belong, so their absence elsewhere means something.
    expect(stages.pushes[0]?.credentials).toEqual({ username: '_', password: HEROKU_KEY })
    expect(configVars).toMatchObject({ DATASETTE_SECRET, DATASETTE_AUTH_CLIENT_SECRET: PLUGIN_SECRET })

    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock).get('/apps/birds/config-vars').reply(200, { DATASETTE_SECRET, DATASETTE_AUTH_CLIENT_SECRET: PLUGIN_SECRET, HEROKU_KEY_ECHO: HEROKU_KEY })
    platform(nock, { accept: ACCEPT_DOCKER }).get('/apps/birds/formation').reply(200, [{ type: 'web', quantity: 1, size: 'Basic', docker_image: CONFIG_DIGEST }])
    const descriptor = await exportDeployment({ provider: 'heroku', providerOptions: { apiKey: HEROKU_KEY }, services: { Env: {} } }, 'birds')
    scan.text('export descriptor', descriptor)
  })

  it('heroku: a 401 that echoes the key, through the library and the CLI with --debug and --json', async () => {
    fresh()
    const echo = { id: 'unauthorized', message: `Invalid credentials provided: ${HEROKU_KEY}` }
    nock(HEROKU).get('/account').times(3).reply(401, echo)
    const recorded = await run({ provider: 'heroku', providerOptions: { apiKey: HEROKU_KEY } })
    expect(recorded.error).toMatchObject({ fault: 'user' })
    expect(await cli(['publish', 'heroku', 'birds.csv', '--api-key', HEROKU_KEY, '--secret', DATASETTE_SECRET])).toEqual([2, 2])
  })

  it('heroku: a config-vars failure whose body echoes the values', async () => {
    fresh()
    platform(nock).get('/account').reply(200, { id: 'acc-1' })
    platform(nock).get('/apps/birds').times(2).reply(200, app('birds'))
    platform(nock).patch('/apps/birds/config-vars').reply(422, { id: 'invalid_params', message: `DATASETTE_SECRET=${DATASETTE_SECRET} DATASETTE_AUTH_CLIENT_SECRET=${PLUGIN_SECRET} rejected` })
    const recorded = await run({ provider: 'heroku', options: { name: 'birds' }, providerOptions: { apiKey: HEROKU_KEY, pollInterval: 1 } }, fakeImageStages().services)
    expect(recorded.error?.code).toMatch(/^[A-Z0-9_]+$/)
  })

  it('heroku: a registry push failure that quotes the password', async () => {
    fresh()
    platform(nock).get('/account').reply(200, { id: 'acc-1' })
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    const stages = fakeImageStages({
      push: (target) => {
        throw new Error(`unauthorized: authentication required for ${target.credentials && 'password' in target.credentials ? `_:${target.credentials.password}` : ''}`)
      },
    })
    const recorded = await run({ provider: 'heroku', options: { name: 'birds' }, providerOptions: { apiKey: HEROKU_KEY, pollInterval: 1 } }, stages.services)
    expect(recorded.error).toBeDefined()
  })

  it('fly: a full publish hands the token to the registry login and the secrets to app secrets, and shows them nowhere else', async () => {
    fresh()
    const api = machinesApi(nock)
    let secrets: Record<string, string> = {}
    let machine: unknown
    api.get('/v1/apps').query({ org_slug: 'personal' }).reply(200, { apps: [] })
    api.get('/v1/apps/birds').times(2).reply(200, appJson('birds'))
    api.post('/v1/apps/birds/secrets', (body: { values: Record<string, string> }) => ((secrets = body.values), true)).reply(200, { secrets: [], version: 2 })
    api.get('/v1/apps/birds/machines').reply(200, [])
    api.get('/v1/apps/birds/volumes').reply(200, [])
    api.post('/v1/apps/birds/machines', (body: unknown) => ((machine = body), true)).reply(200, machineJson('birds', { id: 'e2865013a12345', state: 'created', instance: '01JS' }))
    api.get('/v1/apps/birds/machines/e2865013a12345/wait').query(true).reply(200, { ok: true })
    api.get('/v1/apps/birds/machines/e2865013a12345').reply(200, machineJson('birds', { id: 'e2865013a12345', instance: '01JS' }))
    api.get('/v1/apps/birds/ip_assignments').reply(200, { ips: [{ ip: '2a09::1' }, { ip: '66.241.124.7' }] })
    const stages = fakeImageStages()
    const recorded = await run({ provider: 'fly', options: { name: 'birds' }, providerOptions: { token: FLY_TOKEN, pollInterval: 1 } }, stages.services)
    expect(recorded.error?.toJSON()).toBeUndefined()
    expect(stages.pushes[0]?.credentials).toEqual({ username: 'x', password: FLY_TOKEN })
    expect(secrets).toEqual({ DATASETTE_SECRET, DATASETTE_AUTH_CLIENT_SECRET: PLUGIN_SECRET })
    scan.text('machine config sent to Fly', machine)

    api.get('/v1/apps/birds').reply(200, appJson('birds'))
    api.get('/v1/apps/birds/machines').reply(200, [machineJson('birds', { id: 'e2865013a12345', image: `registry.fly.io/birds@${MANIFEST_DIGEST}` })])
    api.get('/v1/apps/birds/secrets').reply(200, { secrets: [{ name: 'DATASETTE_SECRET', digest: 'x' }, { name: 'DATASETTE_AUTH_CLIENT_SECRET', digest: 'y' }] })
    api.get('/v1/apps/birds/volumes').reply(200, [])
    const descriptor = await exportDeployment({ provider: 'fly', providerOptions: { token: FLY_TOKEN }, services: { Env: {} } }, 'birds')
    scan.text('export descriptor', descriptor)
  })

  it('fly: a 401 that echoes the token, through the library and the CLI with --debug and --json', async () => {
    fresh()
    nock('https://api.machines.dev').get('/v1/apps').query({ org_slug: 'personal' }).times(3).reply(401, { error: `You must be authenticated to view this (token ${FLY_TOKEN})` })
    const recorded = await run({ provider: 'fly', providerOptions: { token: FLY_TOKEN } })
    expect(recorded.error).toMatchObject({ code: 'FLY_UNAUTHORIZED', fault: 'user' })
    expect(await cli(['publish', 'fly', 'birds.csv', '--token', FLY_TOKEN, '--secret', DATASETTE_SECRET])).toEqual([2, 2])
  })

  it('fly: a secrets failure whose body echoes the values', async () => {
    fresh()
    const api = machinesApi(nock)
    api.get('/v1/apps').query({ org_slug: 'personal' }).reply(200, { apps: [] })
    api.get('/v1/apps/birds').times(2).reply(200, appJson('birds'))
    api.post('/v1/apps/birds/secrets').reply(400, { error: `invalid secret DATASETTE_SECRET=${DATASETTE_SECRET} DATASETTE_AUTH_CLIENT_SECRET=${PLUGIN_SECRET}` })
    const recorded = await run({ provider: 'fly', options: { name: 'birds' }, providerOptions: { token: FLY_TOKEN, pollInterval: 1 } }, fakeImageStages().services)
    expect(recorded.error?.code).toMatch(/^FLY_/)
  })

  for (const [provider, token, env, api] of [['now', NOW_TOKEN, 'NOW_TOKEN', 'https://api.vercel.com'], ['vercel', VERCEL_TOKEN, 'VERCEL_TOKEN', 'https://api.vercel.com']] as const) {
    it(`${provider}: a 500 and a 403 that echo the token, from the option and from ${env}`, async () => {
      fresh()
      // GETs are retried on 5xx, so the echo is served for as long as the client keeps asking.
      const failing = nock(api).get('/v2/user').reply(500, { error: { code: 'internal', message: `token ${token} broke us` } }).persist()
      const first = await run({ provider, providerOptions: { token } })
      expect(first.error).toMatchObject({ fault: 'host' })
      failing.persist(false)
      nock.removeInterceptor({ hostname: new URL(api).hostname, proto: 'https', path: '/v2/user', method: 'GET' })
      nock(api).get('/v2/user').times(2).reply(403, { error: { code: 'forbidden', message: `Not authorized: ${token}` } })
      let out = ''
      const code = await main(['publish', provider, 'birds.csv', '--debug'], { stdout: (t) => void (out += t), stderr: (t) => void (out += t), cwd: work, env: { [env]: token }, isTTY: false })
      scan.text('CLI', out)
      expect(code).toBe(2)
      const second = await run({ provider, providerOptions: { token } })
      expect(second.error).toMatchObject({ fault: 'user' })
    })
  }

  it('cloudrun: a refused refresh token, and an access token echoed by the Run API', async () => {
    fresh()
    mockTokenExchange(nock, { status: 400, body: { error: 'invalid_grant', error_description: `Bad token ${REFRESH_TOKEN} for client secret ${CLIENT_SECRET}` } })
    const refused = await run({ provider: 'cloudrun', providerOptions: { keyFile: adcFile, project: PROJECT } })
    expect(refused.error).toBeDefined()
    mockTokenExchange(nock)
    runApi(nock).get(`/v2/${PARENT}/services`).query({ pageSize: '1', ...ALT }).reply(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: `Request had invalid authentication credentials: Bearer ${ACCESS_TOKEN}` } })
    const denied = await run({ provider: 'cloudrun', providerOptions: { keyFile: adcFile, project: PROJECT } })
    expect(denied.error).toMatchObject({ fault: 'user' })
  })

  it('generated contexts and plans hold names of secrets, never values', async () => {
    fresh()
    for (const provider of ['local', 'heroku', 'cloudrun', 'now', 'vercel', 'fly']) {
      const dir = path.join(work, `gen-${provider}`)
      const providerOptions = provider === 'heroku' ? { apiKey: HEROKU_KEY } : provider === 'cloudrun' ? { keyFile: adcFile } : provider === 'local' ? {} : { token: provider === 'now' ? NOW_TOKEN : provider === 'fly' ? FLY_TOKEN : VERCEL_TOKEN }
      const recorded = await run({ provider, options: { generateDir: dir, pipIndexUrl: 'https://pypi.example/simple' }, providerOptions })
      expect(recorded.error?.toJSON()).toBeUndefined()
      await scan.tree(`generated context for ${provider}`, dir)
      const plan = await planPublish({ provider, files: ['birds.csv'], cwd: work, options: common, providerOptions, services: { Env: {} } })
      expect(plan.envNames).toEqual(['DATASETTE_AUTH_CLIENT_SECRET', 'DATASETTE_SECRET'])
      scan.text(`plan for ${provider}`, plan)
    }
  })
})
