import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import type { ProviderOperations, PushTarget } from '@datapub/core/kit'
// Core's registry client is not part of the kit; the test imports it by path to stand in for the pipeline's push stage.
import { MEDIA_TYPES, RegistryClient, blobFromBuffer, pushImage } from '@datapub/core'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { cloudrun } from '../src/index.js'
import { ALT, PARENT, PROJECT, googleError, mockTokenExchange, operation, runApi, serviceJson, writeAdcFile } from './google-api-mock.js'

const run = promisify(execFile)
const { nock } = useHttpMock({ allowLoopback: true })
const REGISTRY = process.env.DATAPUB_REGISTRY ?? '127.0.0.1:5000'

async function provider(options: Record<string, unknown> = {}): Promise<ProviderOperations> {
  const keyFile = await writeAdcFile()
  const fake = createFakeContext(cloudrun.options.parse({ keyFile, project: PROJECT, region: 'us-central1', registryUrl: REGISTRY, ...options }), { provider: 'cloudrun' })
  return cloudrun.create(fake.context as never)
}

/** A one-layer OCI image (an empty tar) whose config carries `marker`, so two images never share a digest. */
function tinyImage(marker: string) {
  const layer = gzipSync(Buffer.alloc(1024))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: [`MARKER=${marker}`] }, rootfs: { type: 'layers', diff_ids: [`sha256:${createHash('sha256').update(Buffer.alloc(1024)).digest('hex')}`] } }))
  const descriptor = (mediaType: string, data: Buffer) => ({ mediaType, digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length })
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: descriptor(MEDIA_TYPES.ociConfig, config), layers: [descriptor(MEDIA_TYPES.ociLayerGzip, layer)] }))
  return {
    blobs: [
      { descriptor: descriptor(MEDIA_TYPES.ociConfig, config), source: () => blobFromBuffer(config) },
      { descriptor: descriptor(MEDIA_TYPES.ociLayerGzip, layer), source: () => blobFromBuffer(layer) },
    ],
    manifest: { bytes: manifest, mediaType: MEDIA_TYPES.ociManifest },
  }
}

async function push(target: PushTarget, marker: string): Promise<string> {
  const client = new RegistryClient({ registry: target.registry, protocol: target.insecure ? 'http' : 'https' })
  try {
    const image = tinyImage(marker)
    return (await pushImage(client, { repository: target.repository, blobs: image.blobs, manifest: image.manifest, tags: target.tags })).digest
  } finally {
    client.close()
  }
}

async function skopeoDigest(ref: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`])
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`
}

describe('cloudrun push target against the real local registry', () => {
  it('pushes concurrent deploys of two services to separate images, then deploys the pushed digest', async () => {
    const hash = createHash('sha256').update(`ctx-${Date.now()}`).digest('hex')
    const ops = await provider()
    const birds = await ops.pushTarget!({ name: 'birds', spec: {} as never, contextHash: hash })
    const bees = await (await provider()).pushTarget!({ name: 'bees', spec: {} as never, contextHash: hash })
    expect(birds).toMatchObject({ registry: REGISTRY, insecure: true, manifestFormat: 'oci' })
    expect(birds).not.toHaveProperty('credentials')
    expect(birds.repository).not.toBe(bees.repository)

    // The same context hash (same tag) at the same moment: datasette #2036 shipped one service the other's image.
    const [birdsDigest, beesDigest] = await Promise.all([push(birds, 'birds'), push(bees, 'bees')])
    expect(birdsDigest).not.toBe(beesDigest)
    expect(await skopeoDigest(`${REGISTRY}/${birds.repository}:${birds.tags[0]}`)).toBe(birdsDigest)
    expect(await skopeoDigest(`${REGISTRY}/${bees.repository}:${bees.tags[0]}`)).toBe(beesDigest)

    // Loopback registry traffic went to the real registry; the mock helper fails the test on anything else unmatched.

    // What the pipeline hands deploy after the push: registry/repo@digest, which Cloud Run gets verbatim.
    const ref = `${REGISTRY}/${birds.repository}@${birdsDigest}`
    mockTokenExchange(nock)
    const api = runApi(nock)
    const name = `${PARENT}/services/birds`
    // A new service: the read before the write finds nothing, so the whole service is written.
    api.get(`/v2/${name}`).query(ALT).reply(404, googleError(404, 'NOT_FOUND', 'Resource was not found'))
    api.patch(`/v2/${name}`, (body: { template: { containers: Array<{ image: string }> } }) => body.template.containers[0]!.image === ref).query({ allowMissing: 'true', ...ALT }).reply(200, operation('op-1', true, { response: serviceJson('birds') }))
    api.get(`/v2/${name}:getIamPolicy`).query(ALT).reply(200, { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] })
    const deployed = await ops.deploy({ name: 'birds', artifact: { kind: 'image', ref, digest: birdsDigest }, env: {}, port: 8001, signal: new AbortController().signal, spec: {} as never })
    expect(deployed.imageDigest).toBe(birdsDigest)
  })
})
