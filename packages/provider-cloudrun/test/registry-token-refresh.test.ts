import { createHash, randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MEDIA_TYPES, RegistryClient, blobFromBuffer, pushImage } from '@datapub/core'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { startFaultProxy, type FaultProxy } from '../../../test/helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../../test/helpers/registry/start-registry.js'
import { createSecretScan } from '../../../test/helpers/secret-scan.js'
import { artifactRegistryCredentials } from '../src/artifact-registry-credentials.js'
import { openGoogleSession } from '../src/google-session.js'
import { cloudrun } from '../src/index.js'
import { ACCESS_TOKEN, CLIENT_SECRET, PROJECT, REFRESH_TOKEN, mockTokenExchange, writeAdcFile } from './google-api-mock.js'

const { nock } = useHttpMock({ allowLoopback: true })
const RENEWED_TOKEN = 'ya29.sentinel-renewed-access-7d21'
const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

/**
 * The Cloud Run push credentials against a real registry whose token service takes
 * `oauth2accesstoken` and a Google access token, as Artifact Registry does. The first token
 * lapses part-way through the push (the registry answers 401 with a fresh challenge); the
 * session must get a new one from Google and the push must finish with it.
 */
describe('Artifact Registry push credentials when the access token lapses mid-push', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let adcFile: string
  const revoked = new Set<string>()

  beforeAll(async () => {
    adcFile = await writeAdcFile()
    registry = await startRegistry('token', { username: 'oauth2accesstoken', verify: (user, password) => user === 'oauth2accesstoken' && [ACCESS_TOKEN, RENEWED_TOKEN].includes(password) && !revoked.has(password) })
    proxy = await startFaultProxy(registry.host)
    const server = registry.tokenServer!
    proxy.inject({
      path: /^\/v2\/.+/,
      when: (req) => revoked.has(server.mintedWith((req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')) ?? ''),
      fault: { kind: 'status', status: 401, headers: { 'www-authenticate': `Bearer realm="${server.realm}",service="${server.service}",error="invalid_token"` } },
      times: Number.POSITIVE_INFINITY,
    })
  })
  afterAll(async () => {
    await proxy?.stop()
    await registry?.stop()
    if (adcFile !== undefined) await rm(path.dirname(adcFile), { recursive: true, force: true })
  })

  it('gets a new token from Google on the 401 and finishes the push; no token shows in progress, result or errors', async () => {
    mockTokenExchange(nock)
    const session = await openGoogleSession(cloudrun.options.parse({ keyFile: adcFile, project: PROJECT }), {})
    const layers = Array.from({ length: 4 }, () => randomBytes(512 * 1024))
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha) } }))
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha(l), size: l.length })),
    }
    const client = new RegistryClient({ registry: proxy.host, credentials: artifactRegistryCredentials(session, proxy.host), retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } })
    const seen: unknown[] = []
    let done = 0
    let renewal: ReturnType<typeof mockTokenExchange> | undefined
    try {
      const result = await pushImage(
        client,
        {
          repository: `${PROJECT}/datasette/datasette-birds`,
          blobs: [config, ...layers].map((data, i) => ({ descriptor: i === 0 ? manifest.config : manifest.layers[i - 1]!, source: () => blobFromBuffer(data) })),
          manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: manifest.mediaType },
          tags: ['ctx-1'],
        },
        {
          concurrency: 2,
          onProgress: (p) => {
            seen.push(p)
            if (p.state === 'done' && ++done === 2) {
              // The hour is up: the registry refuses the token, and Google hands out a new one when asked.
              revoked.add(ACCESS_TOKEN)
              renewal = mockTokenExchange(nock, { status: 200, body: { access_token: RENEWED_TOKEN, expires_in: 3599, token_type: 'Bearer' } })
            }
          },
        },
      )
      expect(result.blobs).toHaveLength(5)
      expect(renewal?.isDone()).toBe(true)
      expect(proxy.log.some((e) => e.fault === 'status' && e.status === 401)).toBe(true)
      // The renewed token is what the library holds from now on: the Run API calls use it too.
      expect(await session.accessToken()).toBe(RENEWED_TOKEN)
      const scan = createSecretScan([ACCESS_TOKEN, RENEWED_TOKEN, REFRESH_TOKEN, CLIENT_SECRET])
      for (const p of seen) scan.text('progress', p)
      scan.text('result', result)
      expect(scan.scanned).toBeGreaterThan(5)
      expect(scan.hits()).toEqual([])
    } finally {
      client.close()
    }
  })

  it('ends with a coded error when Google refuses to renew, without asking again and again', async () => {
    mockTokenExchange(nock, { status: 200, body: { access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' } })
    const session = await openGoogleSession(cloudrun.options.parse({ keyFile: adcFile, project: PROJECT }), {})
    // The refresh token was revoked meanwhile: every renewal is refused with invalid_grant.
    const refusals = mockTokenExchange(nock, { status: 400, body: { error: 'invalid_grant', error_description: `Token has been expired or revoked: ${REFRESH_TOKEN}` } })
    const client = new RegistryClient({ registry: proxy.host, credentials: artifactRegistryCredentials(session, proxy.host), retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } })
    let error: unknown
    try {
      await client.uploadBlob(`${PROJECT}/datasette/datasette-bees`, blobFromBuffer(randomBytes(4096)))
    } catch (caught) {
      error = caught
    } finally {
      client.close()
    }
    expect(refusals.isDone()).toBe(true)
    expect(error).toMatchObject({ code: 'CLOUDRUN_AUTH_INVALID', fault: 'user' })
    const scan = createSecretScan([ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET])
    scan.error('error', error)
    expect(scan.hits()).toEqual([])
  })
})
