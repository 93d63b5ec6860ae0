import { describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import type { DeployInput, ProviderOperations } from '@datapub/core/kit'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { cloudrun } from '../src/index.js'
import { ALT, DIGEST, IMAGE, PARENT, PROJECT, SENTINELS, googleError, mockTokenExchange, operation, runApi, serviceJson, writeAdcFile } from './google-api-mock.js'

const { nock } = useHttpMock()
const NAME = `${PARENT}/services/birds`
const SECRET = 'sentinel-datasette-secret-31'

async function setup(options: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const keyFile = await writeAdcFile()
  const fake = createFakeContext(cloudrun.options.parse({ keyFile, project: PROJECT, region: 'us-central1', ...options }), { provider: 'cloudrun', env })
  const ops: ProviderOperations = await cloudrun.create(fake.context as never)
  return { ops, fake }
}

function deployInput(overrides: Partial<DeployInput> = {}): DeployInput {
  return { name: 'birds', artifact: { kind: 'image', ref: IMAGE, digest: DIGEST }, env: { DATASETTE_SECRET: SECRET }, port: 8001, signal: new AbortController().signal, spec: {} as DeployInput['spec'], ...overrides }
}

function mockPublicPolicy(api: ReturnType<typeof runApi>, already = true) {
  api.get(`/v2/${NAME}:getIamPolicy`).query(ALT).reply(200, { version: 1, etag: 'BwY=', bindings: already ? [{ role: 'roles/run.invoker', members: ['allUsers'] }] : [] })
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; fault: string; message: string; hint?: string; details?: Record<string, unknown> }> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error, 'expected a rejection').toBeDefined()
  return error as never
}

function leaks(text: string): string[] {
  return [...SENTINELS, SECRET].filter((s) => text.includes(s))
}

describe('deploy', () => {
  it('upserts the whole service with every option, pinned by digest, secrets as Secret Manager references', async () => {
    const { ops, fake } = await setup({ memory: '2Gi', cpu: '2', timeout: 300, minInstances: 1, maxInstances: 5, concurrency: 80, labels: ['team=data'], env: ['TZ=UTC'], secrets: ['DATASETTE_SECRET=ds-secret:3', 'API_KEY=api-key'] })
    mockTokenExchange(nock)
    const api = runApi(nock)
    const expected = {
      labels: { team: 'data', 'managed-by': 'datapub' },
      annotations: {},
      traffic: [{ type: 1, percent: 100 }],
      template: {
        labels: {},
        annotations: {},
        containers: [
          {
            env: [
              { name: 'API_KEY', valueSource: { secretKeyRef: { secret: 'api-key', version: 'latest' } } },
              { name: 'DATASETTE_SECRET', valueSource: { secretKeyRef: { secret: 'ds-secret', version: '3' } } },
              { name: 'TZ', value: 'UTC' },
            ],
            ports: [{ containerPort: 8001 }],
            image: IMAGE,
            resources: { limits: { memory: '2Gi', cpu: '2' } },
          },
        ],
        scaling: { minInstanceCount: 1, maxInstanceCount: 5 },
        timeout: '300s',
        maxInstanceRequestConcurrency: 80,
      },
    }
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`, expected).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson() }))
    mockPublicPolicy(api)
    const result = await ops.deploy(deployInput())
    expect(result).toMatchObject({ provider: 'cloudrun', id: 'birds', url: 'https://birds-abc123-uc.a.run.app', imageDigest: DIGEST, revision: 'birds-00002-xyz', project: PROJECT, region: 'us-central1' })
    expect(leaks(JSON.stringify(fake.events) + JSON.stringify(result))).toEqual([])
  })

  it('sends deploy-time secrets as plain env when no Secret Manager reference names them, and --service overrides the name', async () => {
    const { ops } = await setup({ service: 'birds-prod', maxInstances: 0 })
    mockTokenExchange(nock)
    const api = runApi(nock)
    const prod = `${PARENT}/services/birds-prod`
    api.get(`/v2/${prod}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api
      .patch(`/v2/${prod}`, (body: { template: { containers: Array<{ env: unknown }>; scaling: object } }) => {
        expect(body.template.containers[0]!.env).toEqual([{ name: 'DATASETTE_SECRET', value: SECRET }])
        expect(body.template.scaling).toEqual({})
        return true
      })
      .query({ allowMissing: 'true', ...ALT })
      .reply(200, operation('op-1', true, { response: serviceJson('birds-prod') }))
    api.get(`/v2/${prod}:getIamPolicy`).query(ALT).reply(200, { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] })
    expect((await ops.deploy(deployInput())).id).toBe('birds-prod')
  })

  it('polls the operation and then the service until it stops reconciling', async () => {
    const { ops, fake } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', false))
    api.get(`/v2/${PARENT}/operations/op-1`).reply(200, operation('op-1', false))
    api.get(`/v2/${PARENT}/operations/op-1`).reply(200, operation('op-1', true, { response: serviceJson('birds', { reconciling: true, terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING' } }) }))
    api.get(`/v2/${NAME}`).query(ALT).reply(200, serviceJson())
    mockPublicPolicy(api)
    expect((await ops.deploy(deployInput())).url).toBe('https://birds-abc123-uc.a.run.app')
    expect(fake.events.map((e) => (e as { state?: string }).state)).toEqual(['updating', 'waiting', 'ready'])
  })

  it('reports a failed revision with Cloud Run\'s reason when the operation fails', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', false))
    api.get(`/v2/${PARENT}/operations/op-1`).reply(200, operation('op-1', true, { error: { code: 9, message: "Revision 'birds-00003-bad' is not ready and cannot serve traffic." } }))
    const message = 'The user-provided container failed to start and listen on the port defined provided by the PORT=8001 environment variable.'
    api.get(`/v2/${NAME}`).query(ALT).reply(200, serviceJson('birds', { latestCreatedRevision: `${NAME}/revisions/birds-00003-bad`, terminalCondition: { type: 'Ready', state: 'CONDITION_FAILED', message, revisionReason: 'HEALTH_CHECK_CONTAINER_ERROR' } }))
    const error = await failure(ops.deploy(deployInput()))
    expect(error).toMatchObject({ code: 'CLOUDRUN_REVISION_FAILED', fault: 'user', details: { revision: 'birds-00003-bad', reason: 'HEALTH_CHECK_CONTAINER_ERROR' } })
    expect(error.message).toContain(message)
  })

  it('reports a failed revision when the operation succeeds but the service ends failed', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson('birds', { terminalCondition: { type: 'Ready', state: 'CONDITION_FAILED', message: 'Image not found', reason: 'CONTAINER_MISSING' } }) }))
    expect(await failure(ops.deploy(deployInput()))).toMatchObject({ code: 'CLOUDRUN_REVISION_FAILED', message: expect.stringContaining('CONTAINER_MISSING') })
  })

  it('retries 429 RESOURCE_EXHAUSTED with backoff, then succeeds', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(429, googleError(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Write requests' of service 'run.googleapis.com'."))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson() }))
    mockPublicPolicy(api)
    expect((await ops.deploy(deployInput())).id).toBe('birds')
  })

  it('maps 409 ABORTED (a concurrent change) to CLOUDRUN_CONFLICT without retrying', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    runApi(nock).get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    runApi(nock).patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(409, googleError(409, 'ABORTED', 'Resource was modified concurrently; please retry.'))
    expect(await failure(ops.deploy(deployInput()))).toMatchObject({ code: 'CLOUDRUN_CONFLICT', fault: 'user', hint: expect.any(String) })
  })

  it('maps 400 INVALID_ARGUMENT with the host message', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    runApi(nock).get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    runApi(nock).patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(400, googleError(400, 'INVALID_ARGUMENT', 'spec.template.spec.containers[0].resources.limits.memory: Invalid value specified for memory.'))
    const error = await failure(ops.deploy(deployInput()))
    expect(error).toMatchObject({ code: 'CLOUDRUN_INVALID_ARGUMENT', fault: 'user' })
    expect(error.message).toContain('Invalid value specified for memory')
  })

  it('withdraws allUsers with --no-public and keeps other bindings', async () => {
    const { ops, fake } = await setup({ public: false })
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson() }))
    api.get(`/v2/${NAME}:getIamPolicy`).query(ALT).reply(200, { version: 1, etag: 'BwY=', bindings: [{ role: 'roles/run.invoker', members: ['allUsers', 'user:ann@example.com'] }, { role: 'roles/run.viewer', members: ['group:g@example.com'] }] })
    api.post(`/v2/${NAME}:setIamPolicy`, { policy: { version: 1, etag: 'BwY=', bindings: [{ role: 'roles/run.invoker', members: ['user:ann@example.com'] }, { role: 'roles/run.viewer', members: ['group:g@example.com'] }] } }).query(ALT).reply(200, {})
    await ops.deploy(deployInput())
    expect(fake.events.map((e) => (e as { state?: string }).state)).toContain('private')
  })

  it('explains an organisation policy that refuses allUsers', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    // The service is read first: a redeploy changes only what datapub manages.
    api.get(`/v2/${NAME}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${NAME}`).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson() }))
    mockPublicPolicy(api, false)
    api.post(`/v2/${NAME}:setIamPolicy`).query(ALT).reply(400, googleError(400, 'FAILED_PRECONDITION', 'One or more users named in the policy do not belong to a permitted customer.'))
    // The other way to a public URL, disabling the invoker check, is refused by policy too.
    api
      .patch(`/v2/${NAME}`, (body: { invokerIamDisabled?: boolean }) => body.invokerIamDisabled === true)
      .query((q) => String(q.updateMask).replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) === 'invokerIamDisabled')
      .reply(400, googleError(400, 'FAILED_PRECONDITION', "organization policy constraint 'run.managed.requireInvokerIam' requires IAM invoker checks."))
    expect(await failure(ops.deploy(deployInput()))).toMatchObject({ code: 'CLOUDRUN_PUBLIC_ACCESS_DENIED', message: expect.stringContaining('private'), hint: expect.stringContaining('--no-public') })
  })

  it('refuses an image that was never pushed to a registry', async () => {
    const { ops } = await setup()
    expect(await failure(ops.deploy(deployInput({ artifact: { kind: 'image', ref: 'datapub-birds:latest', imageId: 'sha256:1' } })))).toMatchObject({ code: 'CLOUDRUN_IMAGE_NOT_PUSHED' })
  })
})

describe('checkAuth', () => {
  it('exchanges the refresh token and probes the project with the access token', async () => {
    const { ops } = await setup()
    const token = mockTokenExchange(nock)
    runApi(nock).get(`/v2/${PARENT}/services`).query({ pageSize: '1', ...ALT }).matchHeader('x-goog-user-project', PROJECT).reply(200, {})
    expect(await ops.checkAuth()).toEqual({ account: 'user credentials (ADC)', project: PROJECT, region: 'us-central1' })
    expect(token.isDone()).toBe(true)
  })

  it('finds gcloud\'s ADC file under HOME and takes the region from CLOUDSDK_RUN_REGION', async () => {
    const keyFile = await writeAdcFile()
    const home = keyFile.replace(/\/application_default_credentials\.json$/, '')
    const fake = createFakeContext(cloudrun.options.parse({ project: PROJECT }), { provider: 'cloudrun', env: { CLOUDSDK_CONFIG: home, CLOUDSDK_RUN_REGION: 'europe-west1' } })
    const ops = await cloudrun.create(fake.context as never)
    mockTokenExchange(nock)
    runApi(nock).get(`/v2/projects/${PROJECT}/locations/europe-west1/services`).query({ pageSize: '1', ...ALT }).reply(200, {})
    expect((await ops.checkAuth()).region).toBe('europe-west1')
  })

  it('maps 403 SERVICE_DISABLED to CLOUDRUN_API_DISABLED', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    runApi(nock)
      .get(`/v2/${PARENT}/services`)
      .query({ pageSize: '1', ...ALT })
      .reply(403, googleError(403, 'PERMISSION_DENIED', `Cloud Run Admin API has not been used in project ${PROJECT} before or it is disabled.`, [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com', metadata: { service: 'run.googleapis.com' } }]))
    expect(await failure(ops.checkAuth())).toMatchObject({ code: 'CLOUDRUN_API_DISABLED', fault: 'user', hint: expect.stringContaining('run.googleapis.com') })
  })

  it('maps 403 PERMISSION_DENIED to CLOUDRUN_PERMISSION_DENIED', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    runApi(nock).get(`/v2/${PARENT}/services`).query({ pageSize: '1', ...ALT }).reply(403, googleError(403, 'PERMISSION_DENIED', "Permission 'run.services.list' denied on resource."))
    expect(await failure(ops.checkAuth())).toMatchObject({ code: 'CLOUDRUN_PERMISSION_DENIED', fault: 'user', hint: expect.stringContaining('roles/run.admin') })
  })

  it('names a missing credentials file and a missing project before any request', async () => {
    const fake = createFakeContext(cloudrun.options.parse({ project: PROJECT }), { provider: 'cloudrun', env: { GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' } })
    expect(await failure((await cloudrun.create(fake.context as never)).checkAuth())).toMatchObject({ code: 'AUTH_MISSING', fault: 'user', provider: 'cloudrun', details: { provider: 'cloudrun' } })
    const keyFile = await writeAdcFile()
    const { writeFile } = await import('node:fs/promises')
    await writeFile(keyFile, JSON.stringify({ type: 'authorized_user', client_id: 'c', client_secret: 'sentinel-client-secret-d41c', refresh_token: 'sentinel-refresh-1//0gRefReSh7c2f' }))
    const noProject = createFakeContext(cloudrun.options.parse({ keyFile }), { provider: 'cloudrun' })
    expect(await failure((await cloudrun.create(noProject.context as never)).checkAuth())).toMatchObject({ code: 'CLOUDRUN_PROJECT_MISSING' })
  })

  it('rejects CPU and memory combinations Cloud Run refuses before any request', async () => {
    const { ops } = await setup({ cpu: '4', memory: '1Gi' })
    expect(await failure(ops.checkAuth())).toMatchObject({ code: 'CLOUDRUN_INVALID_ARGUMENT', hint: expect.stringContaining('2Gi') })
    const { ops: minMax } = await setup({ minInstances: 3, maxInstances: 2 })
    expect(await failure(minMax.checkAuth())).toMatchObject({ code: 'CLOUDRUN_INVALID_ARGUMENT' })
  })

  it('talks to --api-url instead of run.googleapis.com', async () => {
    const { ops } = await setup({ apiUrl: 'http://run.proxy.test:8080' })
    mockTokenExchange(nock)
    runApi(nock, 'http://run.proxy.test:8080').get(`/v2/${PARENT}/services`).query({ pageSize: '1', ...ALT }).reply(200, {})
    expect((await ops.checkAuth()).project).toBe(PROJECT)
  })
})

describe('status, list, rollback, destroy, export', () => {
  it('rolls back by sending all traffic to the newest older ready revision', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    api.get(`/v2/${NAME}`).query(ALT).reply(200, serviceJson())
    const ready = [{ type: 'Ready', state: 'CONDITION_SUCCEEDED' }]
    api.get(`/v2/${NAME}/revisions`).query(ALT).reply(200, {
      revisions: [
        { name: `${NAME}/revisions/birds-00002-xyz`, createTime: '2026-01-02T03:04:05Z', conditions: ready },
        { name: `${NAME}/revisions/birds-00001-old`, createTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Ready', state: 'CONDITION_FAILED' }] },
        { name: `${NAME}/revisions/birds-00000-first`, createTime: '2025-12-31T00:00:00Z', conditions: ready },
      ],
    })
    api
      .patch(`/v2/${NAME}`, { traffic: [{ type: 2, revision: 'birds-00000-first', percent: 100 }], etag: '"etag-2"', labels: {}, annotations: {} })
      .query({ 'updateMask': 'traffic', ...ALT })
      .reply(200, operation('op-9', true, { response: serviceJson('birds', { trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', percent: 100, revision: 'birds-00000-first' }] }) }))
    expect(await ops.rollback('birds')).toMatchObject({ id: 'birds', revision: 'birds-00000-first', url: 'https://birds-abc123-uc.a.run.app', imageDigest: DIGEST })
  })

  it('says when there is nothing to roll back to', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    api.get(`/v2/${NAME}`).query(ALT).reply(200, serviceJson())
    api.get(`/v2/${NAME}/revisions`).query(ALT).reply(200, { revisions: [{ name: `${NAME}/revisions/birds-00002-xyz`, createTime: '2026-01-02T03:04:05Z', conditions: [{ type: 'Ready', state: 'CONDITION_SUCCEEDED' }] }] })
    expect(await failure(ops.rollback('birds'))).toMatchObject({ code: 'CLOUDRUN_NO_PREVIOUS_REVISION', fault: 'user' })
  })

  it('reports a missing service as DEPLOYMENT_NOT_FOUND for status and destroy', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    runApi(nock).get(`/v2/${PARENT}/services/gone`).query(ALT).times(2).reply(404, googleError(404, 'NOT_FOUND', `Resource '${PARENT}/services/gone' was not found`))
    expect(await failure(ops.status('gone'))).toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND', fault: 'user' })
    expect(await failure(ops.destroy('gone'))).toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })

  it('summarises status from the service, and exports a descriptor with env names only', async () => {
    const { ops } = await setup()
    mockTokenExchange(nock)
    const api = runApi(nock)
    const svc = serviceJson('birds', {
      template: {
        containers: [{ image: IMAGE, env: [{ name: 'DATASETTE_SECRET', valueSource: { secretKeyRef: { secret: 'ds', version: '2' } } }, { name: 'TZ', value: SECRET }], resources: { limits: { memory: '2Gi', cpu: '2' } } }],
        scaling: { minInstanceCount: 1, maxInstanceCount: 4 },
        timeout: '120s',
        maxInstanceRequestConcurrency: 40,
      },
      labels: { 'managed-by': 'datapub', team: 'data' },
    })
    api.get(`/v2/${NAME}`).query(ALT).times(2).reply(200, svc)
    mockPublicPolicy(api)
    expect(await ops.status('birds')).toMatchObject({ id: 'birds', state: 'ready', url: 'https://birds-abc123-uc.a.run.app', revision: 'birds-00002-xyz', createdAt: '2026-01-02T03:04:05.000Z', image: IMAGE })
    const descriptor = await ops.export('birds')
    expect(descriptor).toEqual({
      schema: 'datapub.deployment/v1',
      provider: 'cloudrun',
      id: 'birds',
      name: 'birds',
      url: 'https://birds-abc123-uc.a.run.app',
      image: { ref: IMAGE, digest: DIGEST, registry: 'us-docker.pkg.dev' },
      options: { service: 'birds', project: PROJECT, region: 'us-central1', public: true, memory: '2Gi', cpu: '2', minInstances: 1, maxInstances: 4, timeout: 120, concurrency: 40, labels: ['team=data'], secrets: ['DATASETTE_SECRET=ds:2'], revision: 'birds-00002-xyz' },
      envNames: ['DATASETTE_SECRET', 'TZ'],
      resources: { memory: '2Gi', cpu: '2', minInstances: 1, maxInstances: 4 },
    })
    expect(JSON.stringify(descriptor)).not.toContain(SECRET)
  })
})
