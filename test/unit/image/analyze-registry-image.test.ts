import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pack } from 'tar-stream'
import { analyzeRegistryImage, blobFromBuffer, MEDIA_TYPES, pushImage, RegistryClient } from '@datapub/core'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'
import { main } from '@datapub/cli'

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

async function layerTar(files: Record<string, string | number>): Promise<Buffer> {
  const p = pack()
  for (const [name, content] of Object.entries(files)) p.entry({ name, mtime: new Date(0) }, typeof content === 'number' ? Buffer.alloc(content, 1) : content)
  p.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of p) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

let registry: TestRegistry
let client: RegistryClient

beforeAll(async () => {
  registry = await startRegistry('plain')
  client = new RegistryClient({ registry: registry.host })
  // Layer 1 ships a database, a C source (a build leftover) and a log; layer 2 replaces the
  // database and deletes the log: both old copies still ship, which the report must show.
  const tars = [
    await layerTar({ 'app/data.db': 40_000, 'app/module.c': 3_000, 'app/build.log': 5_000 }),
    await layerTar({ 'app/data.db': 40_000, 'app/.wh.build.log': '' }),
  ]
  const layers = tars.map((t) => gzipSync(t))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: tars.map(sha) }, history: [{ created_by: 'COPY app/ /app/' }, { created_by: 'COPY data.db' }] }))
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha(l), size: l.length })),
  }
  await pushImage(client, {
    repository: 'analysis/app',
    blobs: [{ descriptor: manifest.config, source: () => blobFromBuffer(config) }, ...layers.map((l, i) => ({ descriptor: manifest.layers[i]!, source: () => blobFromBuffer(l) }))],
    manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: manifest.mediaType },
    tags: ['v1'],
  })
})

afterAll(async () => {
  client?.close()
  await registry?.stop()
})

describe('analyzeRegistryImage', () => {
  it('reports layers, overwritten and deleted files, waste and leftovers from registry blobs alone', async () => {
    const report = await analyzeRegistryImage(client, 'analysis/app', 'v1')
    expect(report).toMatchObject({ format: 'registry', ref: `${registry.host}/analysis/app:v1` })
    expect(report.layers).toHaveLength(2)
    expect(report.layers.map((l) => l.createdBy)).toEqual(['COPY app/ /app/', 'COPY data.db'])
    expect(report.overwritten).toEqual([expect.objectContaining({ path: '/app/data.db' })])
    expect(report.deleted).toEqual([expect.objectContaining({ path: '/app/build.log', bytes: 5_000 })])
    expect(report.wastedBytes).toBeGreaterThanOrEqual(80_000)
    expect(report.efficiency).toBeLessThan(1)
    expect(report.prunable.files).toBe(1)
    expect(report.compressedBytes).toBeGreaterThan(0)
  })

  it('is what `datapub inspect-image docker://...` prints, with no engine', async () => {
    let out = ''
    const code = await main(['inspect-image', `docker://${registry.host}/analysis/app:v1`, '--json'], { stdout: (t) => void (out += t), stderr: () => {}, env: { DOCKER_CONFIG: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent.sock' } })
    expect(code).toBe(0)
    expect(JSON.parse(out)).toMatchObject({ format: 'registry', layers: [{}, {}] })
  })
})
