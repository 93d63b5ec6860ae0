import { createHash, randomBytes } from 'node:crypto'
import type http from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CredentialResolver } from '../../src/contract/registry-credentials.js'
import { isDatapubError } from '../../src/errors/datapub-error.js'
import { blobFromBuffer } from '../../src/registry/blob-source.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import { pushImage } from '../../src/registry/push-image.js'
import { RegistryClient } from '../../src/registry/registry-client.js'
import type { BlobProgress } from '../../src/registry/registry-exchange-types.js'
import { startFaultProxy, type FaultProxy } from '../../../../test/helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../../../test/helpers/registry/start-registry.js'
import { createSecretScan } from '../../../../test/helpers/secret-scan.js'

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`
const HOUR = 3600_000
const CHUNK = 256 * 1024

/**
 * A Google-shaped login (`oauth2accesstoken` and an hour-long access token) against a real
 * registry with a token server. Access tokens are minted by the test; revoking one makes the
 * token server refuse it and the proxy answer 401 (with a fresh challenge, as Artifact Registry
 * does) to every request carrying a bearer token minted from it.
 */
describe('registry credentials that lapse during a push', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  const valid = new Set<string>()
  const revoked = new Set<string>()
  let clock = Date.now()

  beforeAll(async () => {
    registry = await startRegistry('token', { username: 'oauth2accesstoken', verify: (user, password) => user === 'oauth2accesstoken' && valid.has(password) && !revoked.has(password) })
    proxy = await startFaultProxy(registry.host)
    const server = registry.tokenServer!
    proxy.inject({
      path: /^\/v2\/.+/,
      when: (req: http.IncomingMessage) => revoked.has(server.mintedWith((req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')) ?? ''),
      fault: { kind: 'status', status: 401, headers: { 'www-authenticate': `Bearer realm="${server.realm}",service="${server.service}",error="invalid_token"` } },
      times: Number.POSITIVE_INFINITY,
    })
  })
  afterAll(async () => {
    await proxy?.stop()
    await registry?.stop()
  })
  beforeEach(() => {
    clock = Date.now()
  })

  /** A source of access tokens: each refresh mints a new one (or, with `renews: false`, hands back the same). */
  function tokenSource(options: { renews?: boolean; lifetimeMs?: number } = {}) {
    const issued: string[] = []
    const asked: Array<{ refresh: boolean }> = []
    const mint = (): string => {
      const token = `ya29.sentinel-access-${issued.length}-${randomBytes(6).toString('hex')}`
      issued.push(token)
      valid.add(token)
      return token
    }
    const resolve: CredentialResolver = async (host, request) => {
      if (host !== proxy.host) return undefined
      asked.push({ refresh: request?.refresh === true })
      const token = issued.length === 0 || (request?.refresh === true && options.renews !== false) ? mint() : issued.at(-1)!
      return { username: 'oauth2accesstoken', password: token, expiresAt: clock + (options.lifetimeMs ?? HOUR) }
    }
    return { resolve, issued, asked, revoke: (token: string) => revoked.add(token) }
  }

  function client(resolve: CredentialResolver, options: { chunked?: boolean } = {}): RegistryClient {
    return new RegistryClient({
      registry: proxy.host,
      credentials: resolve,
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
      now: () => clock,
      ...(options.chunked ? { uploadMode: 'chunked' as const, chunkSize: CHUNK } : {}),
    })
  }

  function image(layers: number) {
    const blobs = Array.from({ length: layers }, () => randomBytes(4 * CHUNK + 1000))
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: blobs.map(sha) } }))
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha(config), size: config.length },
      layers: blobs.map((b) => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha(b), size: b.length })),
    }
    return {
      blobs: [config, ...blobs],
      input: (repository: string) => ({
        repository,
        blobs: [config, ...blobs].map((data, i) => ({ descriptor: i === 0 ? manifest.config : manifest.layers[i - 1]!, source: () => blobFromBuffer(data) })),
        manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: manifest.mediaType },
        tags: ['v1'],
      }),
    }
  }

  /** Reads back through the registry directly, with a token that is still good. */
  async function assertStored(repository: string, blobs: Buffer[]): Promise<void> {
    const direct = new RegistryClient({ registry: registry.host, credentials: (await tokenSource().resolve(proxy.host))! })
    try {
      for (const blob of blobs) expect(await direct.blobExists(repository, sha(blob))).toBe(blob.length)
      expect((await direct.getManifest(repository, 'v1')).json).toMatchObject({ layers: expect.any(Array) })
    } finally {
      direct.close()
    }
  }

  const refused = () => proxy.log.filter((entry) => entry.fault === 'status' && entry.status === 401)

  it('finishes a multi-blob push whose access token lapses part-way, with one renewed token and no secret shown', async () => {
    const source = tokenSource()
    const pushed = image(4)
    const events: Array<BlobProgress & { index: number }> = []
    const before = refused().length
    let done = 0
    const c = client(source.resolve, { chunked: true })
    try {
      const result = await pushImage(c, pushed.input('expiring/app'), {
        concurrency: 2,
        onProgress: (p) => {
          events.push(p)
          // The hour is up once two blobs are in: what is in flight and everything after meets a 401.
          if (p.state === 'done' && ++done === 2) source.revoke(source.issued[0]!)
        },
      })
      expect(result.blobs).toHaveLength(5)
      expect(refused().length).toBeGreaterThan(before)
      // Concurrent refusals renew once: one refresh, one new token.
      expect(source.asked).toEqual([{ refresh: false }, { refresh: true }])
      expect(source.issued).toHaveLength(2)
      await assertStored('expiring/app', pushed.blobs)
      const scan = createSecretScan(source.issued)
      for (const event of events) scan.text(`progress ${event.state}`, event)
      scan.text('result', result)
      expect(scan.scanned).toBeGreaterThan(5)
      expect(scan.hits()).toEqual([])
    } finally {
      c.close()
    }
  })

  it('renews a Basic password the registry refuses mid-push (an auth proxy in front, no token service to ask)', async () => {
    const plain = await startRegistry('plain')
    const gate = await startFaultProxy(plain.host)
    const source = tokenSource()
    const accepted = (req: http.IncomingMessage): boolean => {
      const [user, ...rest] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic\s+/i, ''), 'base64').toString('utf8').split(':')
      const password = rest.join(':')
      return user === 'oauth2accesstoken' && valid.has(password) && !revoked.has(password)
    }
    gate.inject({ when: (req) => !accepted(req), fault: { kind: 'status', status: 401, headers: { 'www-authenticate': 'Basic realm="datapub-test"' } }, times: Number.POSITIVE_INFINITY })
    const pushed = image(3)
    let done = 0
    const c = new RegistryClient({ registry: gate.host, credentials: async (_host, request) => source.resolve(proxy.host, request), retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 }, now: () => clock })
    try {
      const result = await pushImage(c, pushed.input('basic/app'), {
        concurrency: 2,
        onProgress: (p) => {
          if (p.state === 'done' && ++done === 2) source.revoke(source.issued[0]!)
        },
      })
      expect(result.blobs).toHaveLength(4)
      const refusals = gate.log.filter((e) => e.fault === 'status' && e.path !== '/v2/')
      expect(refusals.length).toBeGreaterThan(0)
      expect(source.asked).toEqual([{ refresh: false }, { refresh: true }])
    } finally {
      c.close()
      await gate.stop()
      await plain.stop()
    }
  })

  it('does not resend a refused chunk: the upload restarts from a fresh session with the renewed token', async () => {
    const source = tokenSource()
    const [layer] = image(1).blobs.slice(1)
    const states: string[] = []
    const start = proxy.log.length
    const c = client(source.resolve, { chunked: true })
    try {
      const result = await c.uploadBlob('expiring/chunk', blobFromBuffer(layer!), {
        onProgress: (p) => {
          states.push(p.state)
          // The first chunk is on the wire; the next PATCH carries a token that has just lapsed.
          if (p.state === 'uploading' && p.bytes >= CHUNK && !revoked.has(source.issued[0]!)) source.revoke(source.issued[0]!)
        },
      })
      expect(result).toMatchObject({ digest: sha(layer!), via: 'uploaded' })
      const log = proxy.log.slice(start).map((e) => `${e.method} ${e.status}${e.fault === undefined ? '' : ' injected'}`)
      const refusal = log.indexOf('PATCH 401 injected')
      expect(refusal, log.join('\n')).toBeGreaterThan(0)
      // After the refusal: the old session is cancelled and a new one started, never the same chunk patched again.
      const after = log.slice(refusal + 1)
      expect(after[0]).toMatch(/^DELETE /)
      expect(after).toContain('POST 202')
      expect(after.indexOf('POST 202')).toBeLessThan(after.indexOf('PATCH 202'))
      expect(states).toContain('restarted')
      expect(source.asked.filter((a) => a.refresh)).toHaveLength(1)
      const direct = new RegistryClient({ registry: registry.host, credentials: { username: 'oauth2accesstoken', password: source.issued[1]! } })
      try {
        // The restarted session committed the exact bytes.
        expect(await direct.blobExists('expiring/chunk', sha(layer!))).toBe(layer!.length)
      } finally {
        direct.close()
      }
    } finally {
      c.close()
    }
  })

  it('asks for a new token ahead of expiry (injected clock), before the registry has to refuse it', async () => {
    const source = tokenSource()
    const blobs = image(3).blobs
    const before = refused().length
    const c = client(source.resolve)
    try {
      await c.uploadBlob('expiring/clock', blobFromBuffer(blobs[0]!))
      clock += 30 * 60_000
      await c.uploadBlob('expiring/clock', blobFromBuffer(blobs[1]!))
      expect(source.asked).toEqual([{ refresh: false }])
      // Four minutes left, inside the five-minute margin: the client renews first, so the old token's end costs nothing.
      clock += 26 * 60_000
      source.revoke(source.issued[0]!)
      await c.uploadBlob('expiring/clock', blobFromBuffer(blobs[2]!))
      expect(source.asked).toEqual([{ refresh: false }, { refresh: true }])
      expect(refused().length).toBe(before)
      expect(registry.tokenServer!.requests.at(-1)).toMatchObject({ user: 'oauth2accesstoken' })
    } finally {
      c.close()
    }
  })

  it('keeps the old token when renewing ahead of expiry fails, and renews on a later request', async () => {
    const source = tokenSource()
    let blink = true
    const resolve: CredentialResolver = async (host, request) => {
      if (request?.refresh === true && blink) {
        blink = false
        source.asked.push({ refresh: true })
        throw Object.assign(new Error('token endpoint unreachable'), { code: 'ECONNRESET' })
      }
      return source.resolve(host, request)
    }
    const blobs = image(3).blobs
    const before = refused().length
    const c = client(resolve)
    try {
      await c.uploadBlob('expiring/blink', blobFromBuffer(blobs[0]!))
      clock += 56 * 60_000
      // Four minutes left: the early renewal fails, the upload goes on with the token that still holds.
      await c.uploadBlob('expiring/blink', blobFromBuffer(blobs[1]!))
      expect(source.asked).toEqual([{ refresh: false }, { refresh: true }])
      expect(source.issued).toHaveLength(1)
      clock += 60_000
      await c.uploadBlob('expiring/blink', blobFromBuffer(blobs[2]!))
      expect(source.asked).toEqual([{ refresh: false }, { refresh: true }, { refresh: true }])
      expect(source.issued).toHaveLength(2)
      expect(refused().length).toBe(before)
    } finally {
      c.close()
    }
  })

  it.each([
    ['hands back the same lapsed token', { renews: false }],
    ['renews, but every token it mints is refused', { renews: true }],
  ])('ends with a coded REGISTRY_AUTH_FAILED, not a loop, when the source %s', async (_what, options) => {
    const source = tokenSource(options)
    const refuseAll = options.renews
    // Every token refused from the start: the token service turns each one down.
    const resolve: CredentialResolver = async (host, request) => {
      const found = await source.resolve(host, request)
      if (found !== undefined && 'password' in found) source.revoke(refuseAll ? found.password : source.issued[0]!)
      return found
    }
    const c = client(resolve)
    let error: unknown
    try {
      await pushImage(c, image(2).input('expiring/never'), { concurrency: 2 })
    } catch (caught) {
      error = caught
    } finally {
      c.close()
    }
    expect(isDatapubError(error) && error.code).toBe('REGISTRY_AUTH_FAILED')
    expect(error).toMatchObject({ fault: 'user' })
    // Bounded: one renewal per refusal, one restart per blob; never asked without end.
    expect(source.asked.length).toBeGreaterThan(1)
    expect(source.asked.length).toBeLessThanOrEqual(8)
    const scan = createSecretScan(source.issued)
    scan.error('error', error)
    expect(scan.hits()).toEqual([])
  })
})
