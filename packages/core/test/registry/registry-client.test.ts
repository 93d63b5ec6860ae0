import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDatapubError } from '../../src/errors/datapub-error.js'
import { redactText } from '../../src/http/redact.js'
import { blobFromBuffer, blobFromFile, blobFromStream } from '../../src/registry/blob-source.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import type { BlobProgress } from '../../src/registry/registry-exchange-types.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function manifestFor(config: Buffer, layers: Buffer[], format: 'docker' | 'oci'): Buffer {
  const docker = format === 'docker'
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
      config: { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip, digest: sha(l), size: l.length })),
    }),
  )
}

describe.each(['plain', 'htpasswd', 'token'] as const)('RegistryClient against a real registry (%s)', (mode) => {
  let registry: TestRegistry
  let client: RegistryClient
  let dir: string

  beforeAll(async () => {
    registry = await startRegistry(mode)
    dir = await mkdtemp(path.join(tmpdir(), 'datapub-client-'))
    client = new RegistryClient({
      registry: registry.host,
      credentials: mode === 'plain' ? undefined : { username: registry.username, password: registry.password },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    })
  })
  afterAll(async () => {
    client?.close()
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('pings and reports the challenge the registry uses', async () => {
    const ping = await new RegistryClient({ registry: registry.host }).ping()
    expect(ping.challenge).toBe({ plain: 'none', htpasswd: 'basic', token: 'bearer' }[mode])
  })

  it('uploads a file monolithically, skips it the second time, and reads it back', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17)
    const file = path.join(dir, 'blob.bin')
    await writeFile(file, data)
    const progress: BlobProgress[] = []
    const first = await client.uploadBlob('app/one', await blobFromFile(file), { onProgress: (p) => progress.push(p) })
    expect(first).toMatchObject({ digest: sha(data), size: data.length, via: 'uploaded', bytesSent: data.length })
    const uploading = progress.filter((p) => p.state === 'uploading').map((p) => p.bytes)
    expect(uploading.length).toBeGreaterThan(1)
    expect(uploading).toEqual([...uploading].sort((a, b) => a - b))
    expect(uploading.at(-1)).toBe(data.length)
    expect(await client.blobExists('app/one', sha(data))).toBe(data.length)
    const second = await client.uploadBlob('app/one', await blobFromFile(file))
    expect(second.via).toBe('exists')
    expect(second.bytesSent).toBe(0)
    expect(sha(await drain(await client.getBlob('app/one', sha(data))))).toBe(sha(data))
  })

  it('uploads in chunks with Content-Range and commits the right digest', async () => {
    const chunked = new RegistryClient({
      registry: registry.host,
      credentials: mode === 'plain' ? undefined : { username: registry.username, password: registry.password },
      uploadMode: 'chunked',
      chunkSize: 256 * 1024,
    })
    try {
      const data = randomBytes(1024 * 1024 + 5)
      const result = await chunked.uploadBlob('app/chunked', blobFromBuffer(data))
      expect(result).toMatchObject({ digest: sha(data), via: 'uploaded', bytesSent: data.length })
      expect(sha(await drain(await chunked.getBlob('app/chunked', sha(data))))).toBe(sha(data))
    } finally {
      chunked.close()
    }
  })

  it('streams a one-shot readable of unknown digest, hashing while it uploads', async () => {
    const data = randomBytes(700 * 1024)
    const parts = [data.subarray(0, 100_000), data.subarray(100_000)]
    const result = await client.uploadBlob('app/stream', blobFromStream(Readable.from(parts)))
    expect(result).toMatchObject({ digest: sha(data), size: data.length, via: 'uploaded' })
    expect(await client.blobExists('app/stream', sha(data))).toBe(data.length)
  })

  it('mounts a blob from another repository instead of uploading it', async () => {
    const data = randomBytes(64 * 1024)
    await client.uploadBlob('app/source', blobFromBuffer(data))
    const result = await client.uploadBlob('app/target', blobFromBuffer(data), { mountFrom: 'app/source' })
    expect(result.via).toBe('mounted')
    expect(await client.blobExists('app/target', sha(data))).toBe(data.length)
    if (mode === 'token') {
      const mountRequest = registry.tokenServer!.requests.find((r) => r.scopes.includes('repository:app/source:pull') && r.scopes.includes('repository:app/target:pull,push'))
      expect(mountRequest).toBeDefined()
    }
  })

  it('falls back to an upload when the mount source lacks the blob', async () => {
    const data = randomBytes(10_000)
    const result = await client.uploadBlob('app/target2', blobFromBuffer(data), { mountFrom: 'app/nowhere' })
    expect(result.via).toBe('uploaded')
    expect(await client.blobExists('app/target2', sha(data))).toBe(data.length)
  })

  it.each(['docker', 'oci'] as const)('puts and gets a %s manifest, lists tags, deletes', async (format) => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }))
    const layer = randomBytes(2048)
    const repo = `app/manifest-${format}`
    await client.uploadBlob(repo, blobFromBuffer(config))
    await client.uploadBlob(repo, blobFromBuffer(layer))
    const bytes = manifestFor(config, [layer], format)
    const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest
    const digest = await client.putManifest(repo, 'v1', bytes, mediaType)
    await client.putManifest(repo, 'v2', bytes, mediaType)
    expect(digest).toBe(sha(bytes))
    const fetched = await client.getManifest(repo, 'v1')
    expect(fetched.digest).toBe(digest)
    expect(fetched.mediaType).toBe(mediaType)
    expect(fetched.bytes.equals(bytes)).toBe(true)
    expect((await client.listTags(repo)).sort()).toEqual(['v1', 'v2'])
    await client.deleteManifest(repo, digest)
    await expect(client.getManifest(repo, 'v1')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' })
    await client.deleteBlob(repo, sha(layer))
    expect(await client.blobExists(repo, sha(layer))).toBeUndefined()
  })

  it('refuses to push an index', async () => {
    await expect(client.putManifest('app/x', 'v1', Buffer.from('{}'), MEDIA_TYPES.ociIndex)).rejects.toMatchObject({ code: 'INTERNAL' })
  })

  // Only registries with auth can refuse a password; the plain one never sees this test.
  if (mode !== 'plain') it('fails with REGISTRY_AUTH_FAILED on a wrong password, and keeps it out of the error', async () => {
    const wrongPassword = `wrong-${Math.random().toString(36).slice(2)}-password`
    const bad = new RegistryClient({ registry: registry.host, credentials: { username: registry.username, password: wrongPassword }, retry: { retries: 0 } })
    try {
      const error = await bad.uploadBlob('app/denied', blobFromBuffer(randomBytes(100))).catch((e: unknown) => e)
      expect(isDatapubError(error)).toBe(true)
      expect((error as { code: string }).code).toBe('REGISTRY_AUTH_FAILED')
      const serialised = JSON.stringify(error) + String((error as Error).message) + redactText(JSON.stringify((error as { details?: unknown }).details))
      expect(serialised).not.toContain(wrongPassword)
      expect(serialised).not.toContain(Buffer.from(`${registry.username}:${wrongPassword}`).toString('base64'))
    } finally {
      bad.close()
    }
  })

  if (mode === 'token') it('exchanges a docker identitytoken (OAuth2 refresh token) for access', async () => {
    const viaIdentity = new RegistryClient({ registry: registry.host, credentials: { identityToken: registry.identityToken } })
    try {
      const data = randomBytes(1000)
      expect((await viaIdentity.uploadBlob('app/identity', blobFromBuffer(data))).via).toBe('uploaded')
      expect(registry.tokenServer!.requests.some((r) => r.grantType === 'refresh_token')).toBe(true)
    } finally {
      viaIdentity.close()
    }
  })
})
