import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, isDatapubError, RegistryClient, type ContainerEngine } from '@datapub/core'
import { loadRegistryImage } from '../../../packages/core/src/migrate/load-registry-image.js'
import { pushSyntheticBase, sha } from '../../../packages/core/test/registry/append-fixtures.js'
import { startFaultProxy } from '../../helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'
import { startPrivateDockerd, type PrivateDockerd } from '../../helpers/start-private-dockerd.js'

/**
 * The engine dies: a dockerd of the test's own (never the shared one) is killed with SIGKILL
 * in the middle of an operation. The operation must end in a coded error, the engine must hold
 * nothing half-made under the name once it is back, and the same operation must then succeed.
 */

const isRoot = process.getuid?.() === 0
const TAG = 'faults-engine-dies:load'
let dockerd: PrivateDockerd
let registry: TestRegistry
let layers: Buffer[]
const tally: Record<string, unknown> = {}

beforeAll(async () => {
  if (!isRoot) return
  ;[dockerd, registry] = await Promise.all([startPrivateDockerd(), startRegistry('plain')])
  const direct = new RegistryClient({ registry: registry.host })
  ;({ layers } = await pushSyntheticBase(direct, 'old/app', 'v1', 'docker'))
  direct.close()
}, 120_000)
afterAll(async () => {
  await dockerd?.remove()
  await registry?.stop()
  console.info(`engine dies: ${JSON.stringify(tally)}`)
}, 60_000)

const engineOf = (): Promise<ContainerEngine> => connectEngine({ env: { DOCKER_HOST: dockerd.host } })

describe.skipIf(!isRoot)('the engine dies (a private dockerd, SIGKILL)', () => {
  it('during an image load: a coded error, no image under the tag once the engine is back, and the load then succeeds', async () => {
    const proxy = await startFaultProxy(registry.host)
    // The second layer arrives late, so the engine is mid-load when it dies.
    proxy.inject({ method: 'GET', path: new RegExp(`/blobs/${sha(layers[1]!)}$`), fault: { kind: 'slow', delayMs: 3000 }, times: 1 })
    const client = new RegistryClient({ registry: proxy.host })
    const engine = await engineOf()
    try {
      const manifest = await client.getImageManifest('old/app', 'v1')
      const t0 = Date.now()
      const loading = loadRegistryImage(engine, client, 'old/app', manifest.json, TAG).then(
        () => undefined,
        (e: unknown) => e,
      )
      await new Promise((r) => setTimeout(r, 1000))
      await dockerd.kill()
      const error = await loading
      tally.load = { ms: Date.now() - t0, code: isDatapubError(error) ? error.code : String(error) }
      expect(isDatapubError(error), String(error)).toBe(true)
      expect(error).toMatchObject({ fault: 'host' })
      expect((error as { code: string }).code).toMatch(/^(ENGINE_UNREACHABLE|MIGRATE_LOAD_FAILED)$/)
    } finally {
      client.close()
      await proxy.stop()
    }
    await dockerd.restart()
    const back = await engineOf()
    expect(await back.imageExists(TAG), 'nothing half-loaded under the tag').toBe(false)
    const direct = new RegistryClient({ registry: registry.host })
    try {
      const manifest = await direct.getImageManifest('old/app', 'v1')
      await loadRegistryImage(back, direct, 'old/app', manifest.json, TAG)
      expect(await back.imageExists(TAG)).toBe(true)
    } finally {
      direct.close()
    }
  })
})
