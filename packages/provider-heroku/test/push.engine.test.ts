import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import type { DeployInput, ProviderContext, PushTarget } from '@datapub/core/kit'
import { heroku } from '../src/index.js'
// The pipeline's push stage is not committed yet: push with core's registry client directly (test only).
import { RegistryClient, blobFromBuffer } from '@datapub/core'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { ACCEPT_DOCKER, LATEST_RANGE, SENTINEL_KEY, app, dyno, platform, release } from './heroku-mock.js'
import { startRegistry, type TestRegistry } from '../../../test/helpers/registry/start-registry.js'

const run = promisify(execFile)
const { nock } = useHttpMock({ allowLoopback: true })
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry('htpasswd', { username: '_', password: SENTINEL_KEY })
})
afterAll(async () => registry?.stop())

/** A one-file layer and its Docker config: the smallest image a registry and skopeo accept. */
async function tinyImage(): Promise<{ config: Buffer; layer: Buffer; manifest: Buffer; configDigest: string }> {
  const pack = tar.pack()
  pack.entry({ name: 'app/hello.txt', mtime: new Date(0) }, 'served by datapub\n')
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of pack) chunks.push(chunk as Buffer)
  const layerTar = Buffer.concat(chunks)
  const layer = gzipSync(layerTar)
  const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [sha(layerTar)] } }))
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, size: config.length, digest: sha(config) }, layers: [{ mediaType: DOCKER_LAYER, size: layer.length, digest: sha(layer) }] }),
  )
  return { config, layer, manifest, configDigest: sha(config) }
}

async function push(target: PushTarget): Promise<{ digest: string; configDigest: string }> {
  const image = await tinyImage()
  const client = new RegistryClient({ registry: target.registry, protocol: target.insecure ? 'http' : 'https', ...(target.credentials ? { credentials: target.credentials } : {}) })
  try {
    await client.uploadBlob(target.repository, blobFromBuffer(image.config))
    await client.uploadBlob(target.repository, blobFromBuffer(image.layer))
    const digest = await client.putManifest(target.repository, target.tags[0]!, image.manifest, DOCKER_MANIFEST)
    return { digest, configDigest: image.configDigest }
  } finally {
    client.close()
  }
}

async function operations() {
  const fake = createFakeContext(heroku.options.parse({ apiKey: SENTINEL_KEY, registryUrl: registry.host, pollInterval: 1 }), { provider: 'heroku' })
  return { ops: await heroku.create(fake.context as ProviderContext<never>), ...fake }
}

describe('heroku push to a registry with htpasswd for `_`', () => {
  it('pushes a Docker v2 schema 2 manifest with the push target, readable by skopeo with `_` and the API key', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    const { ops } = await operations()
    const target = await ops.pushTarget!({ name: 'birds', spec: {} as DeployInput['spec'], contextHash: 'feedfacecafe0001' })
    expect(target).toMatchObject({ registry: registry.host, repository: 'birds/web', insecure: true, manifestFormat: 'docker-v2', credentials: { username: '_', password: SENTINEL_KEY } })
    const pushed = await push(target)

    const ref = `docker://${registry.host}/birds/web:${target.tags[0]}`
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `_:${SENTINEL_KEY}`, ref])
    const manifest = JSON.parse(stdout) as { schemaVersion: number; mediaType: string; config: { mediaType: string; digest: string }; layers: Array<{ mediaType: string }> }
    expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, digest: pushed.configDigest } })
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([DOCKER_LAYER])
    expect(`sha256:${createHash('sha256').update(stdout).digest('hex')}`).toBe(pushed.digest)

    const refused = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', '_:not-the-key', ref]).then(() => 'accepted', (e: Error) => e.message)
    expect(refused).toMatch(/unauthorized|authentication required/i)
  })

  it('reads the config digest from the registry when the artifact lacks it, and releases that image id', async () => {
    platform(nock).get('/apps/birds').reply(200, app('birds'))
    const { ops, events, logs } = await operations()
    const pushed = await push(await ops.pushTarget!({ name: 'birds', spec: {} as DeployInput['spec'], contextHash: 'feedfacecafe0002' }))

    platform(nock).get('/apps/birds').reply(200, app('birds'))
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(1, 'succeeded')])
    platform(nock, { accept: ACCEPT_DOCKER }).patch('/apps/birds/formation', { updates: [{ type: 'web', docker_image: pushed.configDigest }] }).reply(200, [])
    platform(nock, { range: LATEST_RANGE }).get('/apps/birds/releases').reply(206, [release(2, 'succeeded')])
    platform(nock).get('/apps/birds/dynos').reply(200, [dyno('up', 2)])
    const artifact = { kind: 'image' as const, ref: `${registry.host}/birds/web@${pushed.digest}`, digest: pushed.digest }
    const result = await ops.deploy({ name: 'birds', artifact, env: {}, port: 8001, signal: new AbortController().signal, spec: {} as DeployInput['spec'] })
    expect(result).toMatchObject({ imageDigest: pushed.configDigest, manifestDigest: pushed.digest, release: 2 })
    expect(JSON.stringify({ events, logs, result })).not.toContain(SENTINEL_KEY)
  })
})
