import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyImage } from '../../src/registry/copy-image.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import { runBounded } from '../../src/registry/run-bounded.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'
import { pushSyntheticBase, sha } from './append-fixtures.js'

describe('copyImage (migration between registries)', () => {
  let source: TestRegistry
  let target: TestRegistry
  let from: RegistryClient
  let to: RegistryClient

  beforeAll(async () => {
    ;[source, target] = await Promise.all([startRegistry('plain'), startRegistry('token')])
    from = new RegistryClient({ registry: source.host })
    to = new RegistryClient({ registry: target.host, credentials: { username: target.username, password: target.password } })
    await pushSyntheticBase(from, 'old-host/app', 'v1', 'oci')
  })
  afterAll(async () => {
    from?.close()
    to?.close()
    await Promise.all([source?.stop(), target?.stop()])
  })

  it('streams every blob to another registry and keeps the manifest bytes when no format is asked', async () => {
    const original = await from.getManifest('old-host/app', 'v1')
    const result = await copyImage({ from: { client: from, repository: 'old-host/app', reference: 'v1' }, to: { client: to, repository: 'new-host/app', tags: ['v1'] } })
    expect(result.digest).toBe(original.digest)
    expect(result.blobs.every((b) => b.via === 'uploaded')).toBe(true)
    const copied = await to.getManifest('new-host/app', 'v1')
    expect(copied.bytes.equals(original.bytes)).toBe(true)
  })

  it('rewrites to Docker v2 schema 2 for a Heroku-like target, same blobs', async () => {
    const result = await copyImage({ from: { client: from, repository: 'old-host/app', reference: 'v1' }, to: { client: to, repository: 'heroku/web', tags: ['latest'] }, format: 'docker' })
    const copied = await to.getManifest('heroku/web', 'latest')
    expect(copied.mediaType).toBe(MEDIA_TYPES.dockerManifest)
    expect(copied.digest).toBe(result.digest)
    const original = (await from.getManifest('old-host/app', 'v1')).json as { layers: Array<{ digest: string }> }
    expect((copied.json as { layers: Array<{ digest: string; mediaType: string }> }).layers.map((l) => l.digest)).toEqual(original.layers.map((l) => l.digest))
    expect(new Set((copied.json as { layers: Array<{ mediaType: string }> }).layers.map((l) => l.mediaType))).toEqual(new Set([MEDIA_TYPES.dockerLayerGzip]))
  })

  it('mounts instead of uploading within one registry', async () => {
    const result = await copyImage({ from: { client: from, repository: 'old-host/app', reference: 'v1' }, to: { client: from, repository: 'renamed/app', tags: ['v1'] } })
    expect(result.blobs.map((b) => b.via)).toEqual(['mounted', 'mounted', 'mounted'])
    expect(result.bytesSent).toBe((await from.getManifest('renamed/app', 'v1')).bytes.length)
    expect(sha((await from.getManifest('renamed/app', 'v1')).bytes)).toBe(result.digest)
  })
})

describe('runBounded', () => {
  it('never runs more than the limit at once and keeps order', async () => {
    let running = 0
    let peak = 0
    const out = await runBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((resolve) => setTimeout(resolve, n * 5))
      running--
      return n * 10
    })
    expect(out).toEqual([50, 10, 40, 20, 30, 0])
    expect(peak).toBe(2)
  })

  it('rejects with the first failure', async () => {
    await expect(runBounded([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('boom')
      return n
    })).rejects.toThrow('boom')
  })
})
