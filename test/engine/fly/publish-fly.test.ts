import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, deploymentStatus, destroyDeployment, exportDeployment, listDeployments, publish, rollbackDeployment, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { startFakeFly, type FakeFly } from '../../fakes/fly/fake-fly.js'
import { MachineRunner } from '../../fakes/fly/machine-runner.js'

const TOKEN = 'sentinel-fly-engine-token-7e3a'
const SECRET = 'sentinel-fly-engine-secret-0b9'
const name = `dp-fly-${process.pid}`
const volumeApp = `dp-flyvol-${process.pid}`
let fake: FakeFly
let services: ServiceOverrides
let work: string
let registry: string

const providerOptions = () => ({ apiUrl: fake.apiUrl, logsApiUrl: fake.apiUrl, appUrl: fake.appUrl, registryUrl: `http://${registry}`, region: 'ams', pollInterval: 200, readyTimeout: 120 })
const manage = () => ({ provider: 'fly', providerOptions: providerOptions(), services })

async function publishCsv(rows: string, app = name, extra: Record<string, unknown> = {}) {
  const file = path.join(work, 'birds.csv')
  await writeFile(file, `id,name,wingspan_cm\n${rows}`)
  return recordEvents(publish({ provider: 'fly', files: [file], options: { name: app, title: 'Birds', secret: SECRET }, providerOptions: { ...providerOptions(), ...extra }, cwd: work, container: createContainer(services) }))
}

async function names(url: string): Promise<string[]> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  expect(response.status).toBe(200)
  return ((await response.json()) as Array<{ name: string }>).map((r) => r.name)
}

const WRITE_NOTE = "import sqlite3; c = sqlite3.connect('/data/notes.db'); c.execute('create table if not exists seen (bird text)'); c.execute(\"insert into seen values ('robin')\"); c.commit()"

async function databases(url: string): Promise<Array<{ name: string; is_mutable: boolean }>> {
  const response = await fetch(new URL('-/databases.json', url))
  expect(response.status).toBe(200)
  return ((await response.json()) as Array<{ name: string; is_mutable: boolean }>).map((d) => ({ name: d.name, is_mutable: d.is_mutable }))
}

async function seen(url: string): Promise<string[]> {
  const response = await fetch(new URL('notes/seen.json?_shape=array', url))
  expect(response.status).toBe(200)
  return ((await response.json()) as Array<{ bird: string }>).map((r) => r.bird)
}

beforeAll(async () => {
  const env = engineEnv()
  if (env.registry === undefined) throw new Error('DATAPUB_REGISTRY is not set: the engine tier needs the local registry.')
  registry = env.registry
  fake = await startFakeFly({ token: TOKEN, dockerHost: env.dockerHost, prefix: `fly${process.pid}` })
  work = await mkdtemp(path.join(tmpdir(), 'datapub-fly-'))
  services = { Env: { DOCKER_HOST: env.dockerHost, DATAPUB_BASE_IMAGE: env.baseImage, DATAPUB_RUNTIME_IMAGE: env.runtimeImage, DATAPUB_PIP_FIND_LINKS: env.wheels, FLY_API_TOKEN: TOKEN } }
})

afterAll(async () => {
  await fake?.close()
  // The engine builds of this file's publishes (datapub/<name>:<tag>), kept by the pipeline after the push.
  const runner = new MachineRunner(engineEnv().dockerHost)
  for (const app of [name, volumeApp]) for (const id of await runner.imagesOf(`datapub/${app}`)) await runner.removeImage(id)
})

describe('publish to Fly through the fake Machines API (machines run on the engine)', () => {
  let firstImage: string | undefined

  it('creates the app, pushes, launches a healthy machine and verify reads the served data', async () => {
    const run = await publishCsv('1,robin,21\n2,heron,185\n')
    expect(run.error?.toJSON()).toBeUndefined()
    const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
    expect(deployment?.url).toBe(fake.appUrl.replace('{app}', name))
    expect(run.types()).toEqual(expect.arrayContaining(['verify:ok', 'result']))
    expect(await names(deployment!.url)).toEqual(['robin', 'heron'])
    const app = fake.apps.get(name)!
    expect(app.machines.size).toBe(1)
    // The secret reached the app's secrets only: not the machine config, not an event.
    expect(app.secrets.get('DATASETTE_SECRET')).toBe(SECRET)
    const machine = [...app.machines.values()][0]!
    expect(JSON.stringify(machine.config)).not.toContain(SECRET)
    expect(run.serialized()).not.toContain(SECRET)
    expect(run.serialized()).not.toContain(TOKEN)
    expect(app.ips.map((ip) => ip.type).sort()).toEqual(['shared_v4', 'v6'])
    firstImage = machine.config.image
    // Nor in the image Fly pulled: `docker save` writes every layer uncompressed, config and history included.
    const saved = await promisify(execFile)('docker', ['save', firstImage!], { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost }, encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 })
    expect(saved.stdout.length).toBeGreaterThan(1_000_000)
    expect(saved.stdout.includes(SECRET)).toBe(false)
    expect(saved.stdout.includes(TOKEN)).toBe(false)
    expect(firstImage).toMatch(new RegExp(`^${registry.replace(/\./g, '\\.')}/${name}@sha256:[a-f0-9]{64}$`))
    await expect(deploymentStatus(manage(), name)).resolves.toMatchObject({ id: name, state: 'ready' })
    expect((await listDeployments(manage())).map((d) => d.id)).toContain(name)
  })

  it('republishes: the new machine serves the new rows, the old one is gone, no second IP', async () => {
    const before = [...fake.apps.get(name)!.machines.keys()]
    const run = await publishCsv('1,robin,21\n2,heron,185\n3,wren,15\n')
    expect(run.error?.toJSON()).toBeUndefined()
    const url = run.result?.kind === 'deployed' ? run.result.deployment.url : ''
    expect(await names(url)).toEqual(['robin', 'heron', 'wren'])
    const app = fake.apps.get(name)!
    expect([...app.machines.keys()].some((id) => before.includes(id))).toBe(false)
    expect(app.machines.size).toBe(1)
    expect(app.ips).toHaveLength(2)
  })

  it('a machine that fails on boot leaves the previous version serving, and the error says why', async () => {
    const url = fake.appUrl.replace('{app}', name)
    fake.failNextMachine()
    const run = await publishCsv('1,robin,21\n')
    expect(run.error?.code).toBe('FLY_MACHINE_UNHEALTHY')
    expect(run.error?.message).toMatch(/exit code 2/)
    // What the machine printed before it exited, read back through Fly's log endpoint as flyctl does.
    expect(run.error?.message).toMatch(/machine log \(last lines\) ---\nError: no such option: --bogus/)
    expect(run.error?.details?.logTail).toEqual(['Error: no such option: --bogus'])
    expect(fake.log).toContain('GET /api/v1/apps/:app/logs -> 200')
    expect(await names(url)).toEqual(['robin', 'heron', 'wren'])
    expect(fake.apps.get(name)!.machines.size).toBe(1)
  })

  it('rolls back to the previous image and serves the earlier rows', async () => {
    const result = await rollbackDeployment(manage(), name)
    expect(result.rolledBackTo).toBe(firstImage)
    expect(await names(result.url)).toEqual(['robin', 'heron'])
    const descriptor = await exportDeployment(manage(), name)
    expect(descriptor).toMatchObject({ provider: 'fly', id: name, image: { ref: firstImage }, envNames: ['DATASETTE_SECRET'] })
    expect(JSON.stringify(descriptor)).not.toContain(SECRET)
  })

  it('destroys the app: machines and their containers are gone and the URL stops answering', async () => {
    const url = fake.appUrl.replace('{app}', name)
    await destroyDeployment(manage(), name)
    expect(fake.apps.has(name)).toBe(false)
    expect((await fetch(url)).status).toBe(503)
    await expect(deploymentStatus(manage(), name)).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })
})

describe('Fly refusals through the fake', () => {
  it('a token Fly refuses stops the publish in collect, before any build', async () => {
    const file = path.join(work, 'birds.csv')
    await writeFile(file, 'id,name,wingspan_cm\n1,robin,21\n')
    const run = await recordEvents(publish({ provider: 'fly', files: [file], options: { name }, providerOptions: providerOptions(), cwd: work, container: createContainer({ ...services, Env: { ...services.Env, FLY_API_TOKEN: 'sentinel-fly-wrong-token-88' } }) }))
    expect(run.error).toMatchObject({ code: 'FLY_UNAUTHORIZED', fault: 'user' })
    expect(run.types()).not.toContain('image:built')
    expect(run.serialized()).not.toContain('sentinel-fly-wrong-token-88')
  })

  it('a name another organisation holds is refused before anything is uploaded, and nothing is created', async () => {
    const taken = `dp-taken-${process.pid}`
    fake.foreign.add(taken)
    const run = await publishCsv('1,robin,21\n', taken)
    expect(run.error).toMatchObject({ code: 'FLY_APP_NAME_TAKEN', fault: 'user' })
    expect(run.types()).not.toContain('push:progress')
    expect(fake.apps.has(taken)).toBe(false)
    const runner = new MachineRunner(engineEnv().dockerHost)
    for (const id of await runner.imagesOf(`datapub/${taken}`)) await runner.removeImage(id)
  })
})

describe('writable data on a Fly Volume', () => {
  it('creates the volume on the first publish and remounts it on the next, where the machine is updated in place under its lease and the data stays', async () => {
    const first = await publishCsv('1,robin,21\n', volumeApp, { createVolume: 1, volumeName: 'birds_data', createDb: 'notes' })
    expect(first.error?.toJSON()).toBeUndefined()
    const app = fake.apps.get(volumeApp)!
    const [volume] = [...app.volumes.values()]
    expect(volume).toMatchObject({ name: 'birds_data', size_gb: 1, region: 'ams' })
    const machine = [...app.machines.values()][0]!
    expect(machine.config.mounts).toEqual([{ volume: volume!.id, path: '/data' }])
    // Something written to the volume by the running machine (as root: the volume mounts root-owned).
    const exec = promisify(execFile)
    await exec('docker', ['exec', '--user', '0', machine.container, '/bin/sh', '-c', 'echo kept > /data/marker'], { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost } })
    // --create-db: Datasette created notes.db on the volume and serves it read-write beside the immutable birds database.
    const url = fake.appUrl.replace('{app}', volumeApp)
    expect(await databases(url)).toEqual(expect.arrayContaining([{ name: 'notes', is_mutable: true }, { name: 'data', is_mutable: false }]))
    await exec('docker', ['exec', '--user', '0', machine.container, 'python3', '-c', WRITE_NOTE], { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost } })
    expect(await seen(url)).toEqual(['robin'])

    // Another deploy holds the machine's lease: the publish is refused, and the machine is untouched.
    const lease = await fetch(`${fake.apiUrl}/v1/apps/${volumeApp}/machines/${machine.id}/lease?ttl=60`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
    const nonce = ((await lease.json()) as { data: { nonce: string } }).data.nonce
    const refused = await publishCsv('1,robin,21\n', volumeApp, { createDb: 'notes' })
    expect(refused.error).toMatchObject({ code: 'FLY_MACHINE_LEASED', fault: 'user' })
    expect(app.machines.get(machine.id)!.versions.length).toBe(1)
    await fetch(`${fake.apiUrl}/v1/apps/${volumeApp}/machines/${machine.id}/lease`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}`, 'fly-machine-lease-nonce': nonce } })

    const second = await publishCsv('1,robin,21\n', volumeApp, { createDb: 'notes' })
    expect(second.error?.toJSON()).toBeUndefined()
    expect(second.events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toEqual(expect.arrayContaining(['volume', 'updating']))
    // The same machine (it holds the volume) on a new instance, the same volume, the marker still there.
    expect([...app.machines.keys()]).toEqual([machine.id])
    expect(app.machines.get(machine.id)!.versions.length).toBe(2)
    expect(app.volumes.size).toBe(1)
    const { stdout } = await exec('docker', ['exec', machine.container, '/bin/sh', '-c', 'read line < /data/marker && echo "$line"'], { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost } })
    expect(stdout.trim()).toBe('kept')
    expect(await names(url)).toEqual(['robin'])
    // The row written into the read-write database before the republish is still served after it.
    expect(await seen(url)).toEqual(['robin'])
    await destroyDeployment({ ...manage() }, volumeApp)
  })
})
