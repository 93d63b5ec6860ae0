import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, publish, type ContainerEngine, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'

const name = `append-${process.pid}`
let work: string
let registry: TestRegistry
let env: Record<string, string>
/** build() calls the engine received, per publish: the second publish must make none. */
let builds = 0

/** The real engine, with build() counted: "no build" is checked on the engine, not on events alone. */
function countingEngine(engine: ContainerEngine): ContainerEngine {
  return new Proxy(engine, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown
      if (key === 'build') return (...args: unknown[]) => ((builds += 1), (value as (...a: unknown[]) => unknown).apply(target, args))
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

function services(): ServiceOverrides {
  let engine: Promise<ContainerEngine> | undefined
  return { Env: env, EngineFactory: () => (engine ??= connectEngine({ env }).then(countingEngine)) }
}

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-append-local-'))
  // A registry of its own: the first publish must find no runtime image and build it.
  registry = await startRegistry('plain')
  env = { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels, DATAPUB_BUILDER: 'append', DATAPUB_RUNTIME_REGISTRY: `${registry.host}/datapub/runtime` }
})

afterAll(async () => {
  await destroyDeployment({ provider: 'local', services: services() }, name).catch(() => undefined)
  await registry?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

async function publishCsv(rows: string) {
  const file = path.join(work, 'birds.csv')
  await writeFile(file, `id,name\n${rows}`)
  builds = 0
  return recordEvents(publish({ provider: 'local', files: [file], options: { name, title: 'Birds' }, cwd: work, container: createContainer(services()) }))
}

async function rowsAt(url: string): Promise<unknown> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  expect(response.status).toBe(200)
  return response.json()
}

describe('publish to local with --builder append', () => {
  it('builds the runtime image once on the engine, then loads the appended image and serves it', async () => {
    const run = await publishCsv('1,robin\n')
    expect(run.error?.toJSON()).toBeUndefined()
    expect(builds).toBe(1)
    expect(run.events.find((e) => e.type === 'stage:start' && e.stage === 'build')).toMatchObject({ title: expect.stringContaining('append') })
    expect(run.events.some((e) => e.type === 'log' && e.message.includes('is missing: building it once'))).toBe(true)
    const url = run.result?.kind === 'deployed' ? run.result.deployment.url : ''
    expect(await rowsAt(url)).toEqual([{ rowid: 1, id: 1, name: 'robin' }])
  })

  it('a data-only republish makes no engine build, serves the new rows and passes verify', async () => {
    const run = await publishCsv('1,robin\n2,heron\n')
    expect(run.error?.toJSON()).toBeUndefined()
    expect(builds).toBe(0)
    expect(run.types()).not.toContain('image:build:log')
    expect(run.types()).toContain('verify:ok')
    expect(run.events.some((e) => e.type === 'log' && e.message.includes('found: no engine build needed'))).toBe(true)
    const url = run.result?.kind === 'deployed' ? run.result.deployment.url : ''
    expect(await rowsAt(url)).toEqual([{ rowid: 1, id: 1, name: 'robin' }, { rowid: 2, id: 2, name: 'heron' }])
  })
})
