import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, migrateDeployment, publish, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { useHttpMock } from '../../helpers/http-mock.js'
import { startFakeFly, type FakeFly } from '../../fakes/fly/fake-fly.js'
import { MachineRunner } from '../../fakes/fly/machine-runner.js'
import { startFakeHeroku } from '../../unit/reliability/fake-heroku.js'
import { fastDrainEngine } from './fast-drain-engine.js'
import { serveAs } from './serve-as.js'

const { nock } = useHttpMock({ allowLoopback: true })
const SECRET = 'sentinel-migrate-fly-secret-2c7'
const FLY_TOKEN = 'sentinel-migrate-fly-token-6d0'
const HEROKU_KEY = 'sentinel-migrate-fly-heroku-key-1f'
const tag = `${process.pid}`
const source = `mf-src-${tag}`
let registry: string
let services: ServiceOverrides
let work: string
let sourceUrl: string
let fly: FakeFly

const container = () => createContainer(services)
const flyOptions = () => ({ apiUrl: fly.apiUrl, appUrl: fly.appUrl, registryUrl: `http://${registry}`, region: 'ams', pollInterval: 200, readyTimeout: 120 })

async function rows(url: string): Promise<string[]> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  expect(response.status).toBe(200)
  return ((await response.json()) as Array<{ name: string }>).map((r) => r.name)
}

beforeAll(async () => {
  const env = engineEnv()
  if (env.registry === undefined) throw new Error('DATAPUB_REGISTRY is not set: the engine tier needs the local registry.')
  registry = env.registry
  fly = await startFakeFly({ token: FLY_TOKEN, dockerHost: env.dockerHost, prefix: `mf${tag}` })
  work = await mkdtemp(path.join(tmpdir(), 'datapub-migrate-fly-'))
  services = {
    EngineFactory: async () => fastDrainEngine(await connectEngine({ env: { DOCKER_HOST: env.dockerHost } })),
    Env: { DOCKER_HOST: env.dockerHost, DATAPUB_BASE_IMAGE: env.baseImage, DATAPUB_RUNTIME_IMAGE: env.runtimeImage, DATAPUB_PIP_FIND_LINKS: env.wheels, DATAPUB_SECRET_DATASETTE_SECRET: SECRET, HEROKU_API_KEY: HEROKU_KEY, FLY_API_TOKEN: FLY_TOKEN, NOW_TOKEN: 'sentinel-now-token-mf-4' },
  }
  await writeFile(path.join(work, 'birds.csv'), 'id,name,wingspan_cm\n1,robin,21\n2,heron,185\n3,wren,15\n')
  const run = await recordEvents(publish({ provider: 'local', files: [path.join(work, 'birds.csv')], options: { name: source, title: 'Birds', secret: SECRET }, cwd: work, container: container() }))
  expect(run.error?.toJSON()).toBeUndefined()
  if (run.result?.kind !== 'deployed') throw new Error('the source publish did not deploy')
  sourceUrl = run.result.deployment.url
})

afterAll(async () => {
  await destroyDeployment({ provider: 'local', services }, source).catch(() => undefined)
  await fly?.close()
  const runner = new MachineRunner(engineEnv().dockerHost)
  for (const repo of [`datapub/${source}`, `datapub/mf-now-${tag}`]) for (const id of await runner.imagesOf(repo)) await runner.removeImage(id)
})

describe('migrate to Fly (Fly, Heroku and Now as fakes; the real engine and registry)', () => {
  it('heroku → fly: the image Heroku runs is copied registry to registry, run on a Fly machine, verified against Heroku', async () => {
    const heroku = startFakeHeroku(nock)
    const heroApp = `mf-h-${tag}`
    const herokuOptions = { registryUrl: `http://${registry}`, pollInterval: 1 }
    const web = `https://${heroApp}-1a2b3c.herokuapp.com/`
    // Heroku "runs" its image: the same image serves locally.
    serveAs(nock, web, ['data'], async () => sourceUrl, { persist: true })
    const toHeroku = await migrateDeployment({ from: { provider: 'local', id: source }, to: { provider: 'heroku', providerOptions: herokuOptions, name: heroApp }, apply: true, container: container() })
    expect(toHeroku).toMatchObject({ kind: 'migrated', comparison: { same: true } })

    const flyApp = `mf-fh-${tag}`
    const result = await migrateDeployment({ from: { provider: 'heroku', id: heroApp, providerOptions: herokuOptions }, to: { provider: 'fly', providerOptions: flyOptions(), name: flyApp }, apply: true, container: container() })
    expect(result).toMatchObject({ kind: 'migrated', importPath: 'copy', comparison: { same: true }, sourceDestroyed: false })
    if (result.kind !== 'migrated') return
    expect(result.deployment.url).toBe(fly.appUrl.replace('{app}', flyApp))
    expect(await rows(result.deployment.url)).toEqual(['robin', 'heron', 'wren'])
    // The secret the Heroku app had travels as a Fly app secret (resolved from the environment), never in the descriptor.
    expect(fly.apps.get(flyApp)!.secrets.get('DATASETTE_SECRET')).toBe(SECRET)
    expect(JSON.stringify(result.descriptor)).not.toContain(SECRET)
    expect(heroku.apps.has(heroApp)).toBe(true)
    await destroyDeployment({ provider: 'heroku', providerOptions: herokuOptions, services }, heroApp)
  })

  it('now → fly: Now kept no image, so the recorded build context is rebuilt, pushed and run on Fly', async () => {
    const contextDir = path.join(work, 'now-context')
    const generated = await recordEvents(publish({ provider: 'local', files: [path.join(work, 'birds.csv')], options: { name: `mf-now-${tag}`, title: 'Birds', secret: SECRET, generateDir: contextDir }, cwd: work, container: container() }))
    expect(generated.result?.kind).toBe('generated')
    const now = nock('https://api.vercel.com', { reqheaders: { authorization: 'Bearer sentinel-now-token-mf-4' } })
    now.get('/v13/deployments/dpl_birds').reply(200, { uid: 'dpl_birds', name: 'birds', url: 'birds-abc.now.sh', state: 'READY', meta: { datapubEnvNames: 'DATASETTE_SECRET' } })
    now.get('/v2/deployments/dpl_birds/aliases').reply(200, { aliases: [{ alias: 'birds.now.sh' }] })
    serveAs(nock, 'https://birds.now.sh/', ['data'], async () => sourceUrl)
    const flyApp = `mf-fn-${tag}`
    const result = await migrateDeployment({ from: { provider: 'now', id: 'dpl_birds' }, to: { provider: 'fly', providerOptions: flyOptions(), name: flyApp }, sourcesDir: contextDir, apply: true, container: container() })
    expect(result).toMatchObject({ kind: 'migrated', importPath: 'rebuild', comparison: { same: true } })
    if (result.kind !== 'migrated') return
    const machine = [...fly.apps.get(flyApp)!.machines.values()][0]!
    expect(machine.config.image).toMatch(new RegExp(`^${registry.replace(/\./g, '\\.')}/${flyApp}@sha256:[a-f0-9]{64}$`))
    expect(await rows(result.deployment.url)).toEqual(['robin', 'heron', 'wren'])
  })
})
