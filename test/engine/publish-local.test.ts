import { execFileSync } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, publish, listDeployments, deploymentStatus, destroyDeployment, rollbackDeployment, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../helpers/engine-env.js'

const name = `e2e-${process.pid}`
const SECRET = 'sentinel-local-secret-4c2b'
let work: string
let services: ServiceOverrides

beforeAll(async () => {
  const env = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-local-'))
  services = { Env: { DOCKER_HOST: env.dockerHost, DATAPUB_BASE_IMAGE: env.baseImage, DATAPUB_PIP_FIND_LINKS: env.wheels } }
})

afterAll(async () => {
  await destroyDeployment({ provider: 'local', services: services! }, name).catch(() => undefined)
})

async function publishCsv(rows: string, extra: Record<string, unknown> = {}) {
  const file = path.join(work, 'birds.csv')
  await writeFile(file, `id,name,wingspan_cm\n${rows}`)
  return recordEvents(publish({ provider: 'local', files: [file], options: { name, title: 'Birds', secret: SECRET, ...extra }, cwd: work, container: createContainer(services) }))
}

async function rowsAt(url: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  expect(response.status).toBe(200)
  return (await response.json()) as Array<Record<string, unknown>>
}

describe('publish to the local engine', () => {
  let firstUrl: string

  it('builds, runs and serves the data, verified by inspect hash', async () => {
    const run = await publishCsv('1,robin,21\n2,heron,185\n')
    expect(run.error?.toJSON()).toBeUndefined()
    const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
    expect(deployment?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    firstUrl = deployment!.url
    expect(await rowsAt(firstUrl)).toEqual([
      // Real Datasette lists a rowid table's rowid first.
      { rowid: 1, id: 1, name: 'robin', wingspan_cm: 21 },
      { rowid: 2, id: 2, name: 'heron', wingspan_cm: 185 },
    ])
    expect(run.types()).toEqual(expect.arrayContaining(['image:built', 'verify:ok', 'result']))
    expect(run.serialized()).not.toContain(SECRET)
    const status = await deploymentStatus({ provider: 'local', services }, name)
    expect(status).toMatchObject({ id: name, state: 'running', url: firstUrl })
  })

  it('republishing replaces the container once the new one is healthy', async () => {
    const run = await publishCsv('1,robin,21\n2,heron,185\n3,wren,15\n')
    expect(run.error?.toJSON()).toBeUndefined()
    const url = run.result?.kind === 'deployed' ? run.result.deployment.url : ''
    expect((await rowsAt(url)).map((r) => r.name)).toEqual(['robin', 'heron', 'wren'])
    expect(run.events.filter((e) => e.type === 'deploy:status').map((e) => (e as { state: string }).state)).toContain('replacing')
    const deployments = (await listDeployments({ provider: 'local', services })).filter((d) => d.name === name)
    expect(deployments).toHaveLength(1)
    firstUrl = url
  })

  it('a failing new version leaves the old one serving and says why', async () => {
    // Datasette exits on an unknown option.
    const run = await publishCsv('1,robin,21\n', { extraOptions: '--no-such-option' })
    expect(run.error).toMatchObject({ code: 'LOCAL_CONTAINER_UNHEALTHY', fault: 'user' })
    expect(run.error?.message).toContain('no-such-option')
    expect((await rowsAt(firstUrl)).map((r) => r.name)).toEqual(['robin', 'heron', 'wren'])
    const running = (await listDeployments({ provider: 'local', services })).filter((d) => d.name === name)
    expect(running).toHaveLength(1)
  })

  it('rolls back to the previous image', async () => {
    const back = await rollbackDeployment({ provider: 'local', services }, name)
    expect((await rowsAt(back.url)).map((r) => r.name)).toEqual(['robin', 'heron'])
  })

  it('destroys the deployment and the images its publishes left', async () => {
    const images = () => execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `datapub/${name}`], { env: { ...process.env, DOCKER_HOST: engineEnv().dockerHost }, encoding: 'utf8' }).split('\n').filter(Boolean)
    expect(images().length).toBeGreaterThan(1)
    await destroyDeployment({ provider: 'local', services }, name)
    expect(images()).toEqual([])
    expect((await listDeployments({ provider: 'local', services })).some((d) => d.name === name)).toBe(false)
    await expect(deploymentStatus({ provider: 'local', services }, name)).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })
})
