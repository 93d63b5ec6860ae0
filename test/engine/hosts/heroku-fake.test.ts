import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { destroyDeployment, listDeployments, rollbackDeployment } from '@datapub/core'
import { startFakeHeroku, type FakeHeroku } from '../../fakes/fake-heroku-host.js'
import { routeFetch } from '../../fakes/route-fetch.js'
import { hostFixture, rowsAt, SECRET, type HostFixture } from './host-fixture.js'

const KEY = 'sentinel-fidelity-heroku-key-2b9e'
const name = `fid-h-${process.pid}`
let fake: FakeHeroku
let fx: HostFixture
let fetchRouted: typeof fetch
const options = () => ({ apiUrl: fake.url, registryUrl: `http://${fx.registry}`, pollInterval: 50, releaseTimeout: 120 })
const manage = () => ({ provider: 'heroku', providerOptions: options(), services: fx.services })

beforeAll(async () => {
  fx = await hostFixture(() => fake.routes(), { HEROKU_API_KEY: KEY })
  fake = await startFakeHeroku({ apiKey: KEY, registry: fx.registry, dockerHost: fx.dockerHost, prefix: `fid-${process.pid}`, releasePhase: ['Running release command...', 'migrations: none'] })
  fetchRouted = routeFetch(() => fake.routes())
})
afterAll(async () => fake?.close())

describe('heroku through a stateful fake that runs the pushed image', () => {
  let first: { release: number; url: string; image: unknown }

  it('publishes: creates the app, pushes, releases, and the verify stage reads the served data', async () => {
    const run = await fx.publishRows('heroku', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
    expect(deployment).toMatchObject({ provider: 'heroku', id: name, url: `https://${name}-fa4e.herokuapp.com/` })
    expect(run.types()).toContain('verify:ok')
    expect(await rowsAt(fetchRouted, deployment!.url)).toEqual(['robin', 'heron'])
    expect(fake.apps.get(name)?.config.DATASETTE_SECRET).toBe(SECRET)
    // The release phase's output is shown as the container release runs it.
    expect(run.events.some((e) => e.type === 'image:build:log' && (e as { line: string }).line === 'migrations: none')).toBe(true)
    expect(run.serialized()).not.toContain(KEY)
    first = { release: Number(deployment!.release), url: deployment!.url, image: deployment!.imageDigest }
  })

  it('republishes unchanged data: Heroku says the image is already running, which is nothing to release', async () => {
    const releases = fake.apps.get(name)!.releases.length
    const run = await fx.publishRows('heroku', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
    expect(deployment?.imageDigest, 'the same data builds the same image').toBe(first.image)
    expect(deployment?.release).toBe(first.release)
    expect(fake.server.log).toContain('PATCH /apps/' + name + '/formation -> 422')
    expect(fake.apps.get(name)!.releases.length).toBe(releases)
  })

  it('publishes changed data as a new release and serves it', async () => {
    const run = await fx.publishRows('heroku', name, '1,robin,21\n2,heron,185\n3,wren,15\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    expect(Number(run.result?.kind === 'deployed' ? run.result.deployment.release : 0)).toBeGreaterThan(first.release)
    expect(await rowsAt(fetchRouted, first.url)).toEqual(['robin', 'heron', 'wren'])
  })

  it('lists, rolls back to the previous image, and destroys', async () => {
    expect((await listDeployments(manage())).map((d) => d.name)).toContain(name)
    const back = await rollbackDeployment(manage(), name)
    expect(back).toMatchObject({ provider: 'heroku', id: name })
    expect(await rowsAt(fetchRouted, first.url)).toEqual(['robin', 'heron'])
    await destroyDeployment(manage(), name)
    expect(fake.apps.has(name)).toBe(false)
    expect(fake.violations).toEqual([])
  })
})
