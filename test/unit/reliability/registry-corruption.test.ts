import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyImage, isDatapubError, RegistryClient } from '@datapub/core'
import { pushSyntheticBase, sha } from '../../../packages/core/test/registry/append-fixtures.js'
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'

/**
 * Lying registries: a proxy in front of a real registry (distribution 2.8) serves blobs whose
 * bytes do not match their digest, a manifest naming a blob the registry does not have, and
 * wrong Docker-Content-Digest headers. copyImage (what `migrate` and `import` use to move an
 * image) must stop with a coded error before the target holds a manifest for the tag, and the
 * next copy through a clean connection must complete.
 */

let source: TestRegistry
let target: TestRegistry
let layers: Buffer[]
let config: Buffer
const tally = { cases: 0, refusedCoded: 0, targetTagged: 0, cleanRerunsCompleted: 0 }

beforeAll(async () => {
  ;[source, target] = await Promise.all([startRegistry('plain'), startRegistry('plain')])
  const direct = new RegistryClient({ registry: source.host })
  ;({ layers, config } = await pushSyntheticBase(direct, 'old/app', 'v1', 'docker'))
  direct.close()
})
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()])
  console.info(`registry corruption: ${JSON.stringify(tally)}`)
})

async function copyThrough(rules: (proxy: FaultProxy) => FaultRule[], targetRepo: string, through: 'source' | 'target' = 'source') {
  const proxy = await startFaultProxy(through === 'source' ? source.host : target.host)
  for (const rule of rules(proxy)) proxy.inject(rule)
  const from = new RegistryClient({ registry: through === 'source' ? proxy.host : source.host, retry: { retries: 1, baseDelayMs: 1 } })
  const to = new RegistryClient({ registry: through === 'target' ? proxy.host : target.host, retry: { retries: 1, baseDelayMs: 1 } })
  try {
    const result = await copyImage({ from: { client: from, repository: 'old/app', reference: 'v1' }, to: { client: to, repository: targetRepo, tags: ['v1'] } }).then(
      (r) => ({ ok: true as const, digest: r.digest }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    return { result, pending: proxy.pending() }
  } finally {
    from.close()
    to.close()
    await proxy.stop()
  }
}

async function targetHasTag(repository: string): Promise<boolean> {
  const client = new RegistryClient({ registry: target.host })
  try {
    await client.getManifest(repository, 'v1')
    return true
  } catch (error) {
    if (isDatapubError(error) && error.code === 'IMAGE_NOT_FOUND') return false
    throw error
  } finally {
    client.close()
  }
}

const layerPath = (i: number) => new RegExp(`/blobs/${sha(layers[i]!)}$`)
const CASES: Array<{ name: string; rules: (p: FaultProxy) => FaultRule[]; code: string; through?: 'source' | 'target' }> = [
  { name: 'a layer blob with one byte flipped (same length)', rules: () => [{ method: 'GET', path: layerPath(1), fault: { kind: 'corrupt-body', at: 17 }, times: 9 }], code: 'REGISTRY_CORRUPT' },
  { name: 'a layer blob with bytes appended', rules: () => [{ method: 'GET', path: layerPath(0), fault: { kind: 'corrupt-body', append: 100 }, times: 9 }], code: 'REGISTRY_CORRUPT' },
  { name: 'the config blob corrupted', rules: () => [{ method: 'GET', path: new RegExp(`/blobs/${sha(config)}$`), fault: { kind: 'corrupt-body', at: 3 }, times: 9 }], code: 'REGISTRY_CORRUPT' },
  {
    name: 'a manifest naming a blob the registry does not have',
    rules: () => [{ method: 'GET', path: layerPath(0), fault: { kind: 'status', status: 404 }, times: 9 }],
    code: 'REGISTRY_CORRUPT',
  },
  {
    name: 'a wrong Docker-Content-Digest on the manifest fetched by tag',
    rules: () => [{ method: 'GET', path: /\/manifests\/v1$/, fault: { kind: 'set-headers', headers: { 'docker-content-digest': `sha256:${'0'.repeat(64)}` } }, times: 9 }],
    code: 'REGISTRY_CORRUPT',
  },
  {
    name: 'a manifest body that does not match the tag the registry vouches for',
    rules: () => [{ method: 'GET', path: /\/manifests\/v1$/, fault: { kind: 'corrupt-body', at: 40 }, times: 9 }],
    code: 'REGISTRY_CORRUPT',
  },
  {
    name: 'the target answering a blob commit with a wrong Docker-Content-Digest',
    through: 'target',
    rules: () => [{ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'set-headers', headers: { 'docker-content-digest': `sha256:${'1'.repeat(64)}` } }, times: 9 }],
    code: 'REGISTRY_ERROR',
  },
  {
    name: 'the target answering the manifest PUT with a wrong Docker-Content-Digest',
    through: 'target',
    rules: () => [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'set-headers', headers: { 'docker-content-digest': `sha256:${'2'.repeat(64)}` } }, times: 9 }],
    code: 'REGISTRY_ERROR',
  },
]

describe('corrupt and lying registries: copy stops coded, nothing is tagged from a corrupt image', () => {
  for (const [i, c] of CASES.entries()) {
    it(c.name, async () => {
      const repo = `new/app-${i}`
      tally.cases++
      const { result } = await copyThrough(c.rules, repo, c.through)
      expect(result.ok, 'the copy must not succeed').toBe(false)
      if (result.ok) return
      expect(isDatapubError(result.error), String(result.error)).toBe(true)
      expect(result.error).toMatchObject({ code: c.code, fault: 'host' })
      tally.refusedCoded++
      // A corrupt source never reaches the tag. A lying target did store the manifest (its answer is what lies), so it is not asserted there.
      if (c.through !== 'target') {
        const tagged = await targetHasTag(repo)
        if (tagged) tally.targetTagged++
        expect(tagged, 'the target must hold no manifest for the tag').toBe(false)
      }
      // The next copy, without the lies, completes and is byte-exact.
      const clean = await copyThrough(() => [], repo)
      expect(clean.result).toMatchObject({ ok: true })
      const copied = new RegistryClient({ registry: target.host })
      try {
        const manifest = await copied.getManifest(repo, 'v1')
        expect(manifest.digest).toBe(clean.result.ok ? clean.result.digest : '')
        for (const layer of layers) {
          const chunks: Buffer[] = []
          for await (const chunk of await copied.getBlob(repo, sha(layer), layer.length)) chunks.push(chunk as Buffer)
          expect(sha(Buffer.concat(chunks))).toBe(sha(layer))
        }
      } finally {
        copied.close()
      }
      tally.cleanRerunsCompleted++
    })
  }
})
