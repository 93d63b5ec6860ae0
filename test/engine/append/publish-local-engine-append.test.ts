import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, publish, type ContainerEngine, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'

// No registry anywhere: the engine itself keeps the runtime image between publishes.
const name = `perf-engine-append-${process.pid}`
let work: string
let env: Record<string, string>
let builds = 0
let loadedBytes = 0
const runtimeTags = new Set<string>()
/** Every image the publishes made, removed afterwards (destroy removes containers, not images). */
const imageTags = new Set<string>()

/** The real engine, with build() counted and the bytes of every loaded archive measured. */
function observedEngine(engine: ContainerEngine): ContainerEngine {
  return new Proxy(engine, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown
      if (key === 'build') {
        return (context: Readable, options: { tag: string }) => {
          builds += 1
          if (options.tag.startsWith('datapub-runtime/')) runtimeTags.add(options.tag)
          return target.build(context, options as never)
        }
      }
      if (key === 'loadImage') {
        return (archive: Readable) => {
          archive.on('data', (chunk: Buffer) => (loadedBytes += chunk.length))
          return target.loadImage(archive)
        }
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

function services(): ServiceOverrides {
  let engine: Promise<ContainerEngine> | undefined
  return { Env: env, EngineFactory: () => (engine ??= connectEngine({ env }).then(observedEngine)) }
}

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-engine-append-'))
  env = { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_RUNTIME_IMAGE: e.runtimeImage, DATAPUB_PIP_FIND_LINKS: e.wheels, DATAPUB_BUILDER: 'append' }
})

afterAll(async () => {
  await destroyDeployment({ provider: 'local', services: services() }, name).catch(() => undefined)
  const engine = await connectEngine({ env }).catch(() => undefined)
  for (const tag of [...imageTags, ...runtimeTags]) await engine?.removeImage(tag).catch(() => undefined)
  if (work) await rm(work, { recursive: true, force: true })
})

async function publishCsv(rows: number, extra: string) {
  const file = path.join(work, 'birds.csv')
  let text = 'id,name,note\n'
  for (let i = 1; i <= rows; i++) text += `${i},bird ${i},${((i * 2654435761) % 4294967296).toString(36)}${'n'.repeat(i % 50)}\n`
  await writeFile(file, text + extra)
  builds = 0
  loadedBytes = 0
  const run = await recordEvents(publish({ provider: 'local', files: [file], options: { name, title: 'Birds' }, cwd: work, container: createContainer(services()) }))
  for (const e of run.events) if (e.type === 'image:built' && e.tag) imageTags.add(e.tag)
  return run
}

describe('publish to local with the append builder and no registry', () => {
  it('builds the runtime image once; a data-only republish builds nothing and sends the engine only the new layers', async () => {
    const first = await publishCsv(20000, '')
    expect(first.error?.toJSON()).toBeUndefined()
    expect(first.types()).not.toContain('warning')
    expect(builds).toBe(1)

    const second = await publishCsv(20000, '20001,heron,new\n')
    expect(second.error?.toJSON()).toBeUndefined()
    expect(builds).toBe(0)
    expect(second.types()).not.toContain('image:build:log')
    expect(second.events.some((e) => e.type === 'log' && e.message.includes('found in the engine: no engine build needed'))).toBe(true)
    const built = second.events.find((e) => e.type === 'image:built') as { bytes: number } | undefined
    expect(built?.bytes).toBeGreaterThan(100_000)
    expect(loadedBytes).toBeGreaterThan(0)
    expect(loadedBytes / built!.bytes).toBeLessThanOrEqual(1.05)
    const url = second.result?.kind === 'deployed' ? second.result.deployment.url : ''
    const response = await fetch(new URL('data/birds.json?_shape=array&id=20001', url))
    expect(await response.json()).toEqual([{ rowid: 20001, id: 20001, name: 'heron', note: 'new' }])
  })
})
