import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, RegistryClient, type ContainerEngine } from '@datapub/core'
import { loadRegistryImage } from '../../src/migrate/load-registry-image.js'
import { pushSyntheticBase, sha } from '../registry/append-fixtures.js'
import { engineEnv } from '../../../../test/helpers/engine-env.js'
import { startFaultProxy, type FaultRule } from '../../../../test/helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'

/**
 * The import path that puts a registry image on a local engine (docker load, no pull) against a
 * lying registry: a corrupt or missing layer must end in REGISTRY_CORRUPT with nothing loaded
 * under the tag, and the next load through a clean connection must succeed.
 */

let registry: TestRegistry
let engine: ContainerEngine
let layers: Buffer[]
const TAG = 'faults-corrupt-load:probe'

beforeAll(async () => {
  registry = await startRegistry('plain')
  engine = await connectEngine({ env: { DOCKER_HOST: engineEnv().dockerHost } })
  const direct = new RegistryClient({ registry: registry.host })
  ;({ layers } = await pushSyntheticBase(direct, 'old/app', 'v1', 'docker'))
  direct.close()
})
afterAll(async () => {
  if (engine !== undefined && (await engine.imageExists(TAG))) await engine.removeImage(TAG)
  await registry?.stop()
})

async function loadThrough(rules: FaultRule[]) {
  const proxy = await startFaultProxy(registry.host)
  for (const rule of rules) proxy.inject(rule)
  const client = new RegistryClient({ registry: proxy.host, retry: { retries: 1, baseDelayMs: 1 } })
  try {
    const manifest = await client.getImageManifest('old/app', 'v1')
    return await loadRegistryImage(engine, client, 'old/app', manifest.json, TAG).then(
      (r) => ({ ok: true as const, r }),
      (error: unknown) => ({ ok: false as const, error }),
    )
  } finally {
    client.close()
    await proxy.stop()
  }
}

describe('import onto a local engine from a lying registry', () => {
  const layer = (i: number) => new RegExp(`/blobs/${sha(layers[i]!)}$`)
  it.each([
    ['a layer with a byte flipped', (): FaultRule[] => [{ method: 'GET', path: layer(1), fault: { kind: 'corrupt-body', at: 20 }, times: 9 }]],
    ['a layer the registry does not have', (): FaultRule[] => [{ method: 'GET', path: layer(0), fault: { kind: 'status', status: 404 }, times: 9 }]],
  ])('%s: REGISTRY_CORRUPT, nothing loaded, and a clean load then succeeds', async (_name, rules) => {
    if (await engine.imageExists(TAG)) await engine.removeImage(TAG)
    const bad = await loadThrough(rules())
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'REGISTRY_CORRUPT', fault: 'host' })
    expect(await engine.imageExists(TAG), 'no image under the tag from a corrupt download').toBe(false)
    const good = await loadThrough([])
    expect(good).toMatchObject({ ok: true })
    expect(await engine.imageExists(TAG)).toBe(true)
  })
})
