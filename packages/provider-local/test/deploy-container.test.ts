import { describe, expect, it } from 'vitest'
import { DatapubError, type ContainerEngine, type ContainerInfo, type RunOptions } from '@datapub/core/kit'
import { deployContainer } from '../src/deploy-container.js'
import { localOptionsSchema } from '../src/options.js'

/**
 * An engine that holds containers the way Docker does: inspecting a removed one is a 404, and a
 * second publish of the same name can remove ours while we wait on it. Nothing answers HTTP, so
 * a container stays "not yet healthy" until the test changes the world under it.
 */
function engineWhere(onInspect: (engine: MemoryEngine, id: string) => void) {
  const containers = new Map<string, ContainerInfo>()
  let clock = 0
  let ids = 0
  const engine = {
    endpoint: 'memory',
    containers,
    async hasNetwork() {
      return false
    },
    async listContainers(labels: Record<string, string>) {
      return [...containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
    },
    async runContainer(o: RunOptions) {
      const info: ContainerInfo = { id: `c${ids}`, name: o.name, image: o.image, imageId: o.image, state: 'running', running: true, labels: o.labels ?? {}, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(), restartCount: 0, env: o.env ?? {} }
      containers.set(info.id, info)
      ids++
      return info
    },
    async inspectContainer(id: string) {
      onInspect(engine as unknown as MemoryEngine, id)
      const info = containers.get(id)
      if (!info) throw new DatapubError('DEPLOYMENT_NOT_FOUND', `No container ${id} on memory.`)
      return info
    },
    async stopContainer(id: string) {
      const c = containers.get(id)
      if (c) Object.assign(c, { running: false, state: 'exited', exitCode: 137 })
    },
    async removeContainer(id: string) {
      containers.delete(id)
    },
    async containerLogs() {
      return 'Uvicorn running\n'
    },
  }
  return engine as unknown as MemoryEngine
}
type MemoryEngine = ContainerEngine & { containers: Map<string, ContainerInfo> }

const input = (name: string) => ({ name, artifact: { kind: 'image' as const, ref: 'datapub/birds:1' }, env: {}, port: 8001, signal: new AbortController().signal })
const options = localOptionsSchema.parse({ network: 'host', healthTimeout: 2 })

describe('deployContainer when another publish of the same name wins', () => {
  it('a container a newer publish removed during the wait is DEPLOY_SUPERSEDED, naming the one that serves', async () => {
    const engine = engineWhere((e, id) => {
      // The newer publish starts, answers first, and removes ours: what two `datapub publish local` at once do.
      if (e.containers.has(id) && e.containers.size === 1) {
        void e.runContainer({ image: 'datapub/birds:2', name: 'datapub-birds-newer', labels: { ...e.containers.get(id)!.labels }, networkMode: 'host', containerPort: 1 })
        e.containers.delete(id)
      }
    })
    const error = await deployContainer(engine, input('birds'), options, () => undefined).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DEPLOY_SUPERSEDED', fault: 'user', provider: 'local', details: { current: 'datapub-birds-newer' } })
  })

  it('a container that stops by itself is still LOCAL_CONTAINER_UNHEALTHY, even with a newer one running', async () => {
    const engine = engineWhere((e, id) => {
      if (e.containers.has(id) && e.containers.size === 1) {
        void e.runContainer({ image: 'datapub/birds:2', name: 'datapub-birds-newer', labels: { ...e.containers.get(id)!.labels }, networkMode: 'host', containerPort: 1 })
        Object.assign(e.containers.get(id)!, { running: false, state: 'exited', exitCode: 1 })
      }
    })
    const error = await deployContainer(engine, input('birds'), options, () => undefined).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'LOCAL_CONTAINER_UNHEALTHY' })
    expect(engine.containers.size, 'the failed container is removed, the newer one stays').toBe(1)
  })

  it('a container that vanishes with no newer one is not called superseded', async () => {
    const engine = engineWhere((e, id) => e.containers.delete(id))
    const error = await deployContainer(engine, input('birds'), options, () => undefined).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DEPLOYMENT_NOT_FOUND' })
  })
})
