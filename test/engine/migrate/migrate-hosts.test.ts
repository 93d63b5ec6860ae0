import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, listDeployments, publish, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { importDeployment, migrateDeployment } from '@datapub/core'
import { RegistryClient } from '@datapub/core'
import { ACCEPT_DOCKER, LATEST_RANGE, SENTINEL_KEY, app, dyno, platform, release } from '../../../packages/provider-heroku/test/heroku-mock.js'
import { ALT, PARENT, PROJECT, googleError, mockTokenExchange, operation, runApi, serviceJson, writeAdcFile } from '../../../packages/provider-cloudrun/test/google-api-mock.js'
import { engineEnv } from '../../helpers/engine-env.js'
import { useHttpMock } from '../../helpers/http-mock.js'
import { fastDrainEngine } from './fast-drain-engine.js'
import { serveAs } from './serve-as.js'

const { nock } = useHttpMock({ allowLoopback: true })
const SECRET = 'sentinel-migrate-engine-secret-5d1'
const tag = `${process.pid}`
const source = `mig-src-${tag}`
const heroApp = `mig-h-${tag}`
const localNames: string[] = [source]
let registry: string
let services: ServiceOverrides
let work: string
let sourceUrl: string
let localImageId: string
let pushedConfigDigest: string | undefined

const container = () => createContainer(services)

async function rows(url: string): Promise<string[]> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  expect(response.status).toBe(200)
  return ((await response.json()) as Array<{ name: string }>).map((r) => r.name)
}

beforeAll(async () => {
  const env = engineEnv()
  if (env.registry === undefined) throw new Error('DATAPUB_REGISTRY is not set: the engine tier needs the local registry.')
  registry = env.registry
  work = await mkdtemp(path.join(tmpdir(), 'datapub-migrate-'))
  services = {
    EngineFactory: async () => fastDrainEngine(await connectEngine({ env: { DOCKER_HOST: env.dockerHost } })),
    Env: { DOCKER_HOST: env.dockerHost, DATAPUB_BASE_IMAGE: env.baseImage, DATAPUB_PIP_FIND_LINKS: env.wheels, DATAPUB_SECRET_DATASETTE_SECRET: SECRET, HEROKU_API_KEY: SENTINEL_KEY, NOW_TOKEN: 'sentinel-now-token-mig-9' },
  }
  await writeFile(path.join(work, 'birds.csv'), 'id,name,wingspan_cm\n1,robin,21\n2,heron,185\n3,wren,15\n')
  // Built once: every direction below reuses this deployment or its image.
  const run = await recordEvents(publish({ provider: 'local', files: [path.join(work, 'birds.csv')], options: { name: source, title: 'Birds', secret: SECRET }, cwd: work, container: container() }))
  expect(run.error?.toJSON()).toBeUndefined()
  if (run.result?.kind !== 'deployed') throw new Error('the source publish did not deploy')
  sourceUrl = run.result.deployment.url
  localImageId = String(run.result.deployment.imageDigest)
})

afterAll(async () => {
  for (const name of localNames) await destroyDeployment({ provider: 'local', services }, name).catch(() => undefined)
})

/** Heroku's side of a container-path deploy of `name`: create the app, release the image, dynos up. */
function mockHerokuDeploy(name: string, onImage: (configDigest: string) => void): void {
  platform(nock).get(`/apps/${name}`).reply(404, { id: 'not_found', message: "Couldn't find that app." })
  platform(nock).post('/apps', { name, stack: 'container' }).reply(201, app(name))
  platform(nock).get(`/apps/${name}`).reply(200, app(name))
  platform(nock).patch(`/apps/${name}/config-vars`, { DATASETTE_SECRET: SECRET }).reply(200, { DATASETTE_SECRET: SECRET })
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(3, 'succeeded')])
  platform(nock, { accept: ACCEPT_DOCKER })
    .patch(`/apps/${name}/formation`, (body: { updates: Array<{ type: string; docker_image: string }> }) => {
      onImage(body.updates[0]!.docker_image)
      return body.updates[0]!.type === 'web'
    })
    .reply(200, [{ id: 'f1', type: 'web', quantity: 1, size: 'Basic', command: null }])
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(3, 'succeeded')])
  platform(nock, { range: LATEST_RANGE }).get(`/apps/${name}/releases`).reply(206, [release(4, 'pending')])
  platform(nock).get(`/apps/${name}/releases/rel-4`).reply(200, release(4, 'succeeded'))
  platform(nock).get(`/apps/${name}/dynos`).reply(200, [dyno('up', 4)])
}

const herokuOptions = () => ({ registryUrl: `http://${registry}`, pollInterval: 1 })

describe('migrate between hosts (real engine and registry; hosts over nock)', () => {
  it('local → heroku: pushes the same engine image (no rebuild), releases it, verifies, leaves the source', async () => {
    mockHerokuDeploy(heroApp, (digest) => (pushedConfigDigest = digest))
    // Heroku "runs" the pushed image: its URL answers with what the same image serves locally.
    serveAs(nock, app(heroApp).web_url as string, ['data'], async () => sourceUrl)
    const steps: string[] = []
    const result = await migrateDeployment({ from: { provider: 'local', id: source }, to: { provider: 'heroku', providerOptions: herokuOptions(), name: heroApp }, apply: true, container: container(), onStep: (s, state) => steps.push(`${s}:${state}`) })
    expect(result).toMatchObject({ kind: 'migrated', importPath: 'push-engine', comparison: { same: true }, sourceDestroyed: false })
    expect(steps).toEqual(['export:start', 'export:done', 'import:start', 'import:done', 'verify:start', 'verify:done'])
    // Same image: the config digest Heroku released is the local image id, and the registry holds it.
    expect(pushedConfigDigest).toBe(localImageId)
    const client = new RegistryClient({ registry })
    try {
      const tags = await client.listTags(`${heroApp}/web`)
      const manifest = await client.getImageManifest(`${heroApp}/web`, tags[0]!)
      expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
      expect(manifest.json.config.digest).toBe(localImageId)
    } finally {
      client.close()
    }
    expect(await rows(sourceUrl)).toEqual(['robin', 'heron', 'wren'])
  })

  it('heroku → local: finds the image by the config digest Heroku records, loads it into the engine, serves the same data', async () => {
    expect(pushedConfigDigest).toBeDefined()
    const back = `${source}-back`
    localNames.push(back)
    platform(nock).get(`/apps/${heroApp}`).reply(200, app(heroApp))
    platform(nock).get(`/apps/${heroApp}/config-vars`).reply(200, { DATASETTE_SECRET: SECRET })
    platform(nock, { accept: ACCEPT_DOCKER }).get(`/apps/${heroApp}/formation`).reply(200, [{ type: 'web', quantity: 1, size: 'Basic', docker_image: { id: pushedConfigDigest } }])
    // Registry credentials come from the source's push target, which looks the app up.
    platform(nock).get(`/apps/${heroApp}`).reply(200, app(heroApp))
    serveAs(nock, app(heroApp).web_url as string, ['data'], async () => sourceUrl)
    const result = await migrateDeployment({ from: { provider: 'heroku', id: heroApp, providerOptions: herokuOptions() }, to: { provider: 'local', name: back }, apply: true, container: container() })
    expect(result).toMatchObject({ kind: 'migrated', importPath: 'load', comparison: { same: true } })
    if (result.kind !== 'migrated') return
    expect(result.descriptor.envNames).toEqual(['DATASETTE_SECRET'])
    expect(JSON.stringify(result.descriptor)).not.toContain(SECRET)
    expect(result.deployment.imageDigest).toBe(pushedConfigDigest)
    expect(result.deployment.url).not.toBe(sourceUrl)
    expect(await rows(result.deployment.url)).toEqual(['robin', 'heron', 'wren'])
  })

  it('a failed verification leaves the source serving, destroys nothing, and reports the difference', async () => {
    const bad = `${heroApp}-bad`
    mockHerokuDeploy(bad, () => {})
    // The new host serves one row fewer than the source.
    serveAs(nock, app(bad).web_url as string, ['data'], async () => sourceUrl, {
      persist: true,
      alter: (p, body) => (p === '/data.json' ? { ...(body as object), tables: (body as { tables: Array<{ name: string; count: number }> }).tables.map((t) => (t.name === 'birds' ? { ...t, count: t.count - 1 } : t)) } : body),
    })
    const error = await migrateDeployment({ from: { provider: 'local', id: source }, to: { provider: 'heroku', providerOptions: herokuOptions(), name: bad }, apply: true, destroySource: true, verifyTimeoutMs: 1500, container: container() }).catch((e: unknown) => e)
    nock.cleanAll()
    expect(error).toMatchObject({ code: 'MIGRATE_VERIFY_MISMATCH', details: { source: sourceUrl, differences: ['data: table birds has 2 rows at the target, 3 at the source'] } })
    expect(await rows(sourceUrl)).toEqual(['robin', 'heron', 'wren'])
    expect((await listDeployments({ provider: 'local', services })).map((d) => d.name)).toContain(source)
  })

  it('now → cloudrun: Now kept no image, so the recorded build context is rebuilt, pushed and deployed', async () => {
    const contextDir = path.join(work, 'now-context')
    const generated = await recordEvents(publish({ provider: 'local', files: [path.join(work, 'birds.csv')], options: { name: 'birds', title: 'Birds', secret: SECRET, generateDir: contextDir }, cwd: work, container: container() }))
    expect(generated.result?.kind).toBe('generated')
    const now = nock('https://api.vercel.com', { reqheaders: { authorization: 'Bearer sentinel-now-token-mig-9' } })
    now.get('/v13/deployments/dpl_birds').reply(200, { uid: 'dpl_birds', name: 'birds', url: 'birds-abc.now.sh', state: 'READY', meta: { datapubEnvNames: 'DATASETTE_SECRET' } })
    now.get('/v2/deployments/dpl_birds/aliases').reply(200, { aliases: [{ alias: 'birds.now.sh' }] })
    serveAs(nock, 'https://birds.now.sh/', ['data'], async () => sourceUrl)

    const keyFile = await writeAdcFile()
    mockTokenExchange(nock)
    const api = runApi(nock)
    let image = ''
    // A first deploy: the service is read, found missing, and created whole.
    api.get(`/v2/${PARENT}/services/birds`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api
      .patch(`/v2/${PARENT}/services/birds`, (body: { template: { containers: Array<{ image: string; env: Array<{ name: string; value?: string }> }> } }) => {
        image = body.template.containers[0]!.image
        return body.template.containers[0]!.env.some((e) => e.name === 'DATASETTE_SECRET' && e.value === SECRET)
      })
      .query({ allowMissing: 'true', ...ALT })
      .reply(200, () => operation('op-1', true, { response: serviceJson('birds', { template: { containers: [{ image }] } }) }))
    api.get(`/v2/${PARENT}/services/birds:getIamPolicy`).query(ALT).reply(200, { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] })
    // Cloud Run "runs" whatever image it was given: the URL answers from that image, started on the engine.
    let running: Promise<string> | undefined
    const runPushed = () =>
      (running ??= importDeployment({ descriptor: { schema: 'datapub.deployment/v1', provider: 'cloudrun', id: 'birds', name: 'birds', image: { ref: image }, options: {}, envNames: ['DATASETTE_SECRET'] }, to: 'local', name: `${source}-cr`, container: container() }).then((r) => (localNames.push(`${source}-cr`), r.deployment.url)))
    serveAs(nock, 'https://birds-abc123-uc.a.run.app/', ['data'], runPushed)

    const result = await migrateDeployment({
      from: { provider: 'now', id: 'dpl_birds' },
      to: { provider: 'cloudrun', providerOptions: { keyFile, project: PROJECT, region: 'us-central1', registryUrl: `http://${registry}` } },
      sourcesDir: contextDir,
      apply: true,
      container: container(),
    })
    expect(result).toMatchObject({ kind: 'migrated', importPath: 'rebuild', comparison: { same: true }, deployment: { url: 'https://birds-abc123-uc.a.run.app' } })
    expect(image).toMatch(new RegExp(`^${registry.replace(/[.]/g, '\\.')}/${PROJECT}/datasette/datasette-birds@sha256:[a-f0-9]{64}$`))
    expect(await rows(await runPushed())).toEqual(['robin', 'heron', 'wren'])
  })
})
