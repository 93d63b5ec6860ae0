import { describe, expect, it } from 'vitest'
import { describeProviderConformance, createFakeContext, createTestSpec } from '@datapub/core/testing'
import type { DeployInput, ProviderContext, ProviderOperations } from '@datapub/core/kit'
import { heroku } from '../src/index.js'
import { HOST_CONTRACTS } from '../../../test/oracles/host-contracts.js'
import { useHttpMock, type RequestBodyMatcher } from '../../../test/helpers/http-mock.js'
import { ACCEPT_DOCKER, CONFIG_DIGEST, LATEST_RANGE, SENTINEL_KEY, app, dyno, platform, release } from './heroku-mock.js'

const { nock } = useHttpMock({ contracts: HOST_CONTRACTS })
const SECRET_ENV = 'sentinel-datasette-secret-77aa'
const image = { kind: 'image' as const, ref: `registry.heroku.com/birds/web@sha256:${'d'.repeat(64)}`, digest: `sha256:${'d'.repeat(64)}`, configDigest: CONFIG_DIGEST }

/** Mocks one container-path deploy of `name` that finds (or creates) the app and ends with a web dyno up. */
function mockContainerDeploy(name: string, opts: { create?: boolean; formationBody?: RequestBodyMatcher } = {}): void {
  if (opts.create) {
    platform(nock).get(`/apps/${name}`).reply(404, { id: 'not_found', message: "Couldn't find that app." })
    platform(nock).post('/apps', { name, stack: 'container' }).reply(201, app(name))
  } else platform(nock).get(`/apps/${name}`).reply(200, app(name))
  platform(nock).patch(`/apps/${name}/config-vars`, { DATASETTE_SECRET: SECRET_ENV }).reply(200, { DATASETTE_SECRET: SECRET_ENV })
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(3, 'succeeded')])
  platform(nock, { accept: ACCEPT_DOCKER })
    .patch(`/apps/${name}/formation`, opts.formationBody ?? { updates: [{ type: 'web', docker_image: CONFIG_DIGEST }] })
    .reply(200, [{ id: 'f1', type: 'web', quantity: 1, size: 'Basic', command: null }])
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(3, 'succeeded')])
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(4, 'pending')])
  platform(nock).get(`/apps/${name}/releases/rel-4`).reply(200, release(4, 'succeeded'))
  platform(nock).get(`/apps/${name}/dynos`).reply(200, [dyno('up', 3), dyno('starting', 4)])
  platform(nock).get(`/apps/${name}/dynos`).reply(200, [dyno('up', 4)])
}

describeProviderConformance(heroku, {
  validOptions: { apiKey: SENTINEL_KEY, region: 'eu', dynoSize: 'basic', dynoQuantity: 1, configVar: ['A=1'] },
  invalidOptions: [
    { options: { dynoQuantity: 0 }, path: 'dynoQuantity' },
    { options: { configVar: ['no-equals'] }, path: 'configVar.0' },
    { options: { path: 'git' }, path: 'path' },
    { options: { registryUrl: 'ftp://registry.example' }, path: 'registryUrl' },
    { options: { region: 'US East' }, path: 'region' },
    { options: { apiUrl: 'not a url' }, path: 'apiUrl' },
  ],
  sentinels: [SENTINEL_KEY],
  badAuth: async () => {
    platform(nock, { key: 'wrong-heroku-key-123' }).get('/account').reply(401, { id: 'unauthorized', message: 'Invalid credentials provided.' })
    return { options: { apiKey: 'wrong-heroku-key-123', pollInterval: 1 } }
  },
  lifecycle: {
    async prepare() {
      platform(nock).get('/account').reply(200, { id: 'acc-1', email: 'me@example.com' })
      mockContainerDeploy('birds', { create: true })
      // status
      platform(nock).get('/apps/birds').reply(200, app('birds'))
      platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(4, 'succeeded')])
      platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 4)])
      // list: a buildpack app is not ours
      platform(nock).get('/apps').reply(200, [app('birds'), app('blog', { stack: { name: 'heroku-24' }, build_stack: { name: 'heroku-24' } })])
      // export
      platform(nock).get('/apps/birds').reply(200, app('birds'))
      platform(nock).get('/apps/birds/config-vars').reply(200, { DATASETTE_SECRET: SECRET_ENV })
      platform(nock, { accept: ACCEPT_DOCKER }).get('/apps/birds/formation').reply(200, [{ type: 'web', quantity: 1, size: 'Basic', docker_image: CONFIG_DIGEST }])
      platform(nock).delete('/apps/birds').reply(200, app('birds'))
      return {
        options: { apiKey: SENTINEL_KEY, pollInterval: 1 },
        deploy: { name: 'birds', artifact: image, env: { DATASETTE_SECRET: SECRET_ENV }, port: 8001 },
      }
    },
  },
})

async function operations(options: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ ops: ProviderOperations; events: ReturnType<typeof createFakeContext>['events']; logs: string[] }> {
  const fake = createFakeContext(heroku.options.parse({ pollInterval: 1, ...options }), { provider: 'heroku', env })
  return { ops: await heroku.create(fake.context as ProviderContext<never>), events: fake.events, logs: fake.logs }
}

function deployInput(name: string, artifact: DeployInput['artifact'] = image, env: Record<string, string> = { DATASETTE_SECRET: SECRET_ENV }): DeployInput {
  return { name, artifact, env, port: 8001, signal: new AbortController().signal, spec: {} as DeployInput['spec'] }
}

describe('heroku container path', () => {
  it('returns the app URL, the release and the image id, after every web dyno on the new release is up', async () => {
    mockContainerDeploy('birds')
    const { ops, events } = await operations({ apiKey: SENTINEL_KEY })
    const result = await ops.deploy(deployInput('birds'))
    expect(result).toMatchObject({ provider: 'heroku', id: 'birds', url: 'https://birds-1a2b3c.herokuapp.com/', imageDigest: CONFIG_DIGEST, release: 4 })
    expect(events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toEqual(['releasing', 'released', 'dynos', 'dynos', 'ready'])
  })

  it('takes the API key from HEROKU_API_KEY and sends --config-var values with the deploy secrets, dyno size and quantity in the formation', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock).patch('/apps/birds/config-vars', { MODE: 'a=b', DATASETTE_SECRET: SECRET_ENV }).reply(200, {})
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [])
    platform(nock, { accept: ACCEPT_DOCKER })
      .patch('/apps/birds/formation', { updates: [{ type: 'web', docker_image: CONFIG_DIGEST, quantity: 2, size: 'standard-1x' }] })
      .reply(200, [])
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(1, 'succeeded')])
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 1), dyno('up', 1, 'web.2')])
    const { ops } = await operations({ configVar: ['MODE=a=b'], dynoSize: 'standard-1x', dynoQuantity: 2 }, { HEROKU_API_KEY: SENTINEL_KEY })
    expect((await ops.deploy(deployInput('birds'))).release).toBe(1)
  })

  it('creates a team app through /teams/apps with the region', async () => {
    platform(nock).get('/apps/birds').reply(404, { id: 'not_found', message: "Couldn't find that app." })
    platform(nock).post('/teams/apps', { name: 'birds', stack: 'container', region: 'eu', team: 'data-team' }).reply(201, app('birds'))
    const { ops } = await operations({ apiKey: SENTINEL_KEY, team: 'data-team', region: 'eu' })
    const target = await ops.pushTarget!({ name: 'birds', spec: {} as DeployInput['spec'], contextHash: 'abcdef0123456789ffff' })
    expect(target).toEqual({ registry: 'registry.heroku.com', repository: 'birds/web', tags: ['datapub-abcdef012345'], credentials: { username: '_', password: SENTINEL_KEY }, manifestFormat: 'docker-v2' })
  })

  it('switches an existing buildpack app to the container stack', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds', { stack: { name: 'heroku-24' }, build_stack: { name: 'heroku-24' } }))
    platform(nock).patch('/apps/birds', { build_stack: 'container' }).reply(200, app('birds', { stack: { name: 'heroku-24' } }))
    const { ops, events } = await operations({ apiKey: SENTINEL_KEY, registryUrl: '127.0.0.1:5000' })
    const target = await ops.pushTarget!({ name: 'birds', spec: {} as DeployInput['spec'], contextHash: 'sha256:0123456789abcdef' })
    expect(target).toMatchObject({ registry: '127.0.0.1:5000', insecure: true, tags: ['datapub-0123456789ab'] })
    expect(events).toContainEqual(expect.objectContaining({ type: 'deploy:status', state: 'stack' }))
  })

  it('names a taken app name with a coded user error, whether the GET or the create says so (datasette #640, #1686)', async () => {
    platform(nock).get('/apps/datasette').reply(403, { id: 'forbidden', message: 'You do not have access to the app datasette.' })
    platform(nock).get('/apps/other').reply(404, { id: 'not_found', message: "Couldn't find that app." })
    platform(nock).post('/apps', { name: 'other', stack: 'container' }).reply(422, { id: 'invalid_params', message: 'Name other is already taken' })
    // After "taken", one look decides whose it is: an app we cannot read is someone else's.
    platform(nock).get('/apps/other').reply(403, { id: 'forbidden', message: 'You do not have access to the app other.' })
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    for (const name of ['datasette', 'other']) {
      const error = await ops.deploy(deployInput(name)).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'HEROKU_APP_NAME_TAKEN', fault: 'user', path: 'name', hint: expect.stringContaining('--name') })
    }
  })

  it('deploys to the app its own earlier create made when the answer to that create was lost', async () => {
    platform(nock).get('/apps/birds').reply(404, { id: 'not_found', message: "Couldn't find that app." })
    platform(nock).post('/apps', { name: 'birds', stack: 'container' }).reply(422, { id: 'invalid_params', message: 'Name birds is already taken' })
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    const target = await ops.pushTarget!({ name: 'birds', spec: createTestSpec('birds'), contextHash: 'a'.repeat(64) })
    expect(target.repository).toBe('birds/web')
  })

  it('fails with HEROKU_DYNO_CRASHED and an R10 hint when a web dyno of the new release crashes', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock).patch('/apps/birds/config-vars').reply(200, {})
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(7, 'succeeded')])
    platform(nock, { accept: ACCEPT_DOCKER }).patch('/apps/birds/formation').reply(200, [])
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(8, 'succeeded')])
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('crashed', 7), dyno('starting', 8)])
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('crashed', 8)])
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    const error = await ops.deploy(deployInput('birds')).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'HEROKU_DYNO_CRASHED', fault: 'user', hint: expect.stringContaining('R10') })
  })

  it('fails with HEROKU_RELEASE_FAILED when the release fails', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(1, 'succeeded')])
    platform(nock, { accept: ACCEPT_DOCKER }).patch('/apps/birds/formation').reply(200, [])
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(2, 'pending')])
    platform(nock).get('/apps/birds/releases/rel-2').reply(200, release(2, 'failed'))
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    const error = await ops.deploy(deployInput('birds', image, {})).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'HEROKU_RELEASE_FAILED', details: { version: 2, status: 'failed' } })
  })

  it('retries a 429 after Retry-After, on a POST too, and gives up with HEROKU_RATE_LIMITED', async () => {
    platform(nock).get('/apps/birds').reply(429, { id: 'rate_limit', message: 'Your account reached the API rate limit' }, { 'Retry-After': '0', 'RateLimit-Remaining': '0' })
    platform(nock).get('/apps/birds').reply(404, { id: 'not_found', message: 'no' })
    platform(nock).post('/apps', { name: 'birds', stack: 'container' }).reply(429, { id: 'rate_limit', message: 'Your account reached the API rate limit' }, { 'Retry-After': '0' })
    platform(nock).post('/apps', { name: 'birds', stack: 'container' }).reply(201, app('birds'))
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    await expect(ops.pushTarget!({ name: 'birds', spec: {} as DeployInput['spec'], contextHash: 'abc' })).resolves.toMatchObject({ repository: 'birds/web' })

    platform(nock).get('/account').times(6).reply(429, { id: 'rate_limit', message: 'Your account reached the API rate limit' }, { 'Retry-After': '0' })
    await expect(ops.checkAuth()).rejects.toMatchObject({ code: 'HEROKU_RATE_LIMITED', fault: 'host' })
  })

  it('waits for a refill when a 429 says RateLimit-Remaining: 0 without Retry-After', async () => {
    platform(nock).get('/account').reply(429, { id: 'rate_limit', message: 'Your account reached the API rate limit' }, { 'RateLimit-Remaining': '0' })
    platform(nock).get('/account').reply(200, { email: 'me@example.com' })
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    const started = Date.now()
    await expect(ops.checkAuth()).resolves.toEqual({ account: 'me@example.com' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(750)
  })

  it('stops with ABORTED, before any call, when the publish is cancelled', async () => {
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    const controller = new AbortController()
    controller.abort()
    await expect(ops.deploy({ ...deployInput('birds'), signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' })
  })

  it('does not retry a 4xx other than 429', async () => {
    platform(nock).get('/account').once().reply(401, { id: 'unauthorized', message: 'Invalid credentials provided.' })
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    await expect(ops.checkAuth()).rejects.toMatchObject({ code: 'HEROKU_UNAUTHORIZED', fault: 'user' })
  })

  it('asks for a key before any call when none is given', async () => {
    const { ops } = await operations({})
    await expect(ops.checkAuth()).rejects.toMatchObject({ code: 'AUTH_MISSING', path: 'apiKey', provider: 'heroku', details: { provider: 'heroku' } })
  })

  it('refuses a path the artifact cannot serve', async () => {
    platform(nock).get('/apps/birds').times(2).reply(200, app('birds'))
    const build = await operations({ apiKey: SENTINEL_KEY, path: 'build' })
    await expect(build.ops.deploy(deployInput('birds'))).rejects.toMatchObject({ code: 'HEROKU_PATH_UNAVAILABLE', path: 'path' })
    const container = await operations({ apiKey: SENTINEL_KEY, path: 'container' })
    await expect(container.ops.deploy(deployInput('birds', { kind: 'context', dir: '/nonexistent', files: [] }))).rejects.toMatchObject({ code: 'HEROKU_PATH_UNAVAILABLE' })
  })

  it('honours --api-url for every Platform API call', async () => {
    nock('http://127.0.0.1:8999', { reqheaders: { authorization: `Basic ${Buffer.from(`:${SENTINEL_KEY}`).toString('base64')}` } })
      .get('/account')
      .reply(200, { email: 'me@example.com' })
    const { ops } = await operations({ apiKey: SENTINEL_KEY, apiUrl: 'http://127.0.0.1:8999' })
    expect(await ops.checkAuth()).toEqual({ account: 'me@example.com' })
  })
})

describe('heroku operations', () => {
  it('rolls back to the release before the current image, not to the config-var release in between', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock, { range: 'version ..; max=20, order=desc' })
      .get('/apps/birds/releases')
      .reply(206, [
        release(6, 'succeeded', { current: true }),
        release(5, 'succeeded', { current: false, description: 'Set DATASETTE_SECRET config vars' }),
        release(4, 'succeeded', { current: false }),
        release(3, 'failed', { current: false }),
      ])
    platform(nock).post('/apps/birds/releases', { release: 'rel-4' }).reply(201, release(7, 'pending', { description: 'Rollback to v4' }))
    platform(nock).get('/apps/birds/releases/rel-7').reply(200, release(7, 'succeeded'))
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 7)])
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    expect(await ops.rollback('birds')).toMatchObject({ id: 'birds', release: 7, rolledBackTo: 4, url: 'https://birds-1a2b3c.herokuapp.com/' })
  })

  it('says there is nothing to roll back to after a single release', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock, { range: 'version ..; max=20, order=desc' }).get('/apps/birds/releases').reply(206, [release(1, 'succeeded')])
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    await expect(ops.rollback('birds')).rejects.toMatchObject({ code: 'HEROKU_NO_PREVIOUS_RELEASE', fault: 'user' })
  })

  it('maps an unknown app to DEPLOYMENT_NOT_FOUND for status and destroy', async () => {
    platform(nock).get('/apps/ghost').reply(404, { id: 'not_found', message: "Couldn't find that app." })
    platform(nock).delete('/apps/ghost').reply(404, { id: 'not_found', message: "Couldn't find that app." })
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    await expect(ops.status('ghost')).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
    await expect(ops.destroy('ghost')).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })

  it('reports a crashed app in status', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(4, 'succeeded')])
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('crashed', 4)])
    const { ops } = await operations({ apiKey: SENTINEL_KEY })
    expect(await ops.status('birds')).toMatchObject({ id: 'birds', state: 'crashed', release: 4, region: 'us' })
  })
})
