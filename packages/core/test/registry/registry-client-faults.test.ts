import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blobFromBuffer } from '../../src/registry/blob-source.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import type { BlobProgress } from '../../src/registry/registry-exchange-types.js'
import { startFaultProxy, type FaultProxy } from '../../../../test/helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe('RegistryClient through a fault-injecting proxy', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let direct: RegistryClient

  beforeAll(async () => {
    registry = await startRegistry('htpasswd')
    proxy = await startFaultProxy(registry.host)
    direct = new RegistryClient({ registry: registry.host, credentials: { username: registry.username, password: registry.password } })
  })
  afterAll(async () => {
    direct?.close()
    await proxy?.stop()
    await registry?.stop()
  })

  function viaProxy(options: { uploadMode?: 'monolithic' | 'chunked'; chunkSize?: number } = {}): RegistryClient {
    return new RegistryClient({
      registry: proxy.host,
      credentials: { username: registry.username, password: registry.password },
      retry: { retries: 5, baseDelayMs: 20, maxDelayMs: 2000 },
      ...options,
    })
  }

  it('survives 429 with Retry-After, 500s, a reset mid-blob and a slow manifest PUT, and the registry holds exact bytes', async () => {
    const client = viaProxy()
    const layer = randomBytes(4 * 1024 * 1024)
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }))
    proxy.inject({ method: 'HEAD', path: /\/blobs\//, fault: { kind: 'status', status: 500 }, times: 2 })
    proxy.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 1 })
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'reset-request', afterBytes: 1024 * 1024 }, times: 1 })
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 503 }, times: 1 })
    proxy.inject({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'slow', delayMs: 300 }, times: 1 })
    const progress: BlobProgress[] = []
    const started = Date.now()
    try {
      const result = await client.uploadBlob('faulty/app', blobFromBuffer(layer), { onProgress: (p) => progress.push(p) })
      expect(result.digest).toBe(sha(layer))
      await client.uploadBlob('faulty/app', blobFromBuffer(config))
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerManifest,
        config: { mediaType: MEDIA_TYPES.dockerConfig, digest: sha(config), size: config.length },
        layers: [{ mediaType: MEDIA_TYPES.dockerLayerGzip, digest: sha(layer), size: layer.length }],
      }))
      await client.putManifest('faulty/app', 'latest', manifest, MEDIA_TYPES.dockerManifest)
    } finally {
      client.close()
    }
    expect(proxy.pending()).toEqual([])
    // Retry-After: 1 was honoured, not replaced by the 20 ms backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(progress.filter((p) => p.state === 'restarted').length).toBeGreaterThanOrEqual(2)
    expect(proxy.log.some((e) => e.fault === 'reset-request')).toBe(true)
    // Read back directly from the registry, bypassing the proxy.
    expect(sha(await drain(await direct.getBlob('faulty/app', sha(layer))))).toBe(sha(layer))
    const stored = await direct.getManifest('faulty/app', 'latest')
    expect((stored.json as { layers: Array<{ digest: string }> }).layers[0]!.digest).toBe(sha(layer))
  })

  it('restarts a chunked upload from a new session when a PATCH is reset', async () => {
    const client = viaProxy({ uploadMode: 'chunked', chunkSize: 512 * 1024 })
    const layer = randomBytes(2 * 1024 * 1024 + 3)
    proxy.inject({ method: 'PATCH', path: /\/blobs\/uploads\//, fault: { kind: 'reset-request', afterBytes: 100_000 }, times: 1 })
    proxy.inject({ method: 'PATCH', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 502 }, times: 1 })
    try {
      expect((await client.uploadBlob('faulty/chunked', blobFromBuffer(layer))).digest).toBe(sha(layer))
    } finally {
      client.close()
    }
    expect(proxy.pending()).toEqual([])
    expect(sha(await drain(await direct.getBlob('faulty/chunked', sha(layer))))).toBe(sha(layer))
  })

  it('gives up with a coded REGISTRY_ERROR when the registry keeps failing', async () => {
    const client = new RegistryClient({ registry: proxy.host, credentials: { username: registry.username, password: registry.password }, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 } })
    proxy.inject({ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 500 }, times: 100 })
    try {
      await expect(client.uploadBlob('faulty/never', blobFromBuffer(randomBytes(100)))).rejects.toMatchObject({ code: 'REGISTRY_ERROR', details: { status: 500 } })
    } finally {
      client.close()
      for (const rule of proxy.pending()) rule.times = 0
    }
  })
})

describe('redirects', () => {
  it('follows a 307 to another host without the Authorization header', async () => {
    const seen: Array<string | undefined> = []
    const storage = http.createServer((req, res) => {
      seen.push(req.headers.authorization)
      res.end('blob-bytes')
    })
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve))
    const storagePort = (storage.address() as AddressInfo).port
    const registrySeen: Array<string | undefined> = []
    const registry = http.createServer((req, res) => {
      registrySeen.push(req.headers.authorization)
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' })
        res.end()
        return
      }
      if (req.url === '/v2/') {
        res.end('{}')
        return
      }
      // "localhost" is a different host from "127.0.0.1" as far as credentials are concerned.
      res.writeHead(307, { location: `http://localhost:${storagePort}/bucket/blob?sig=abc` })
      res.end()
    })
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
    const host = `127.0.0.1:${(registry.address() as AddressInfo).port}`
    const client = new RegistryClient({ registry: host, credentials: { username: 'u', password: 'redirect-secret' } })
    try {
      const body = await drain(await client.getBlob('app/x', `sha256:${'a'.repeat(64)}`))
      expect(body.toString()).toBe('blob-bytes')
      expect(seen).toEqual([undefined])
      expect(registrySeen.filter((h) => h !== undefined).length).toBeGreaterThan(0)
    } finally {
      client.close()
      registry.close()
      storage.close()
    }
  })
})
