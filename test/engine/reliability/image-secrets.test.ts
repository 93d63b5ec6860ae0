import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, publish, type ContainerEngine, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { createSecretScan } from '../../helpers/secret-scan.js'

const name = `secrets-${process.pid}`
const DATASETTE_SECRET = 'sentinel-image-datasette-secret-7f3a'
const PLUGIN_SECRET = 'sentinel-image-plugin-secret-2c9e'
let work: string
let services: ServiceOverrides
let engine: ContainerEngine

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-image-secrets-'))
  services = { Env: { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels } }
  engine = await connectEngine({ env: { DOCKER_HOST: e.dockerHost } })
})
afterAll(async () => {
  await destroyDeployment({ provider: 'local', services }, name).catch(() => undefined)
  await rm(work, { recursive: true, force: true })
})

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The entries of a tar (ustar; `docker save` writes no long-name extensions for its own files). */
function* tarEntries(tar: Buffer): Generator<{ name: string; data: Buffer }> {
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) return
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8)
    yield { name, data: tar.subarray(at + 512, at + 512 + size) }
    at += 512 + Math.ceil(size / 512) * 512
  }
}

it('the built image holds no secret in any layer, its config or its history', async () => {
  await writeFile(path.join(work, 'birds.csv'), 'id,name\n1,robin\n')
  await writeFile(path.join(work, 'metadata.json'), JSON.stringify({ title: 'Birds', plugins: { 'datasette-auth': { note: 'the value comes from the env' } } }))
  const run = await recordEvents(
    publish({
      provider: 'local',
      files: ['birds.csv'],
      cwd: work,
      options: { name, metadata: 'metadata.json', secret: DATASETTE_SECRET, pluginSecret: [['datasette-auth', 'client_secret', PLUGIN_SECRET]] },
      container: createContainer(services),
    }),
  )
  expect(run.error?.toJSON()).toBeUndefined()
  const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
  // The secrets did reach the running container, as deploy-time env: absence from the image is then meaningful.
  const container = await engine.inspectContainer(deployment!.containerId as string)
  expect(container.env).toMatchObject({ DATASETTE_SECRET, DATASETTE_AUTH_CLIENT_SECRET: PLUGIN_SECRET })

  const scan = createSecretScan([DATASETTE_SECRET, PLUGIN_SECRET])
  scan.text('events and result', run.serialized())
  const archive = await collect(await engine.saveImage(container.imageId))
  let layers = 0
  for (const entry of tarEntries(archive)) {
    const data = entry.data.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])) ? gunzipSync(entry.data) : entry.data
    if (/layer\.tar$|^blobs\//.test(entry.name)) layers++
    scan.bytes(`image ${entry.name}`, data)
  }
  expect(layers).toBeGreaterThan(1)
  expect(scan.hits()).toEqual([])
})
