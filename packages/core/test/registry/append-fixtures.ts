import { createHash, randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import type { RecipeInput } from '../../src/image/recipe-input.js'
import { recipeInput } from '../image/recipe-fixtures.js'
import { blobFromBuffer } from '../../src/registry/blob-source.js'
import { MEDIA_TYPES } from '../../src/registry/media-types.js'
import type { RegistryClient } from '../../src/registry/registry-client.js'

export const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export function recipeFor(databases: string[], overrides: Partial<RecipeInput> = {}): RecipeInput {
  return recipeInput({ baseImage: 'datapub-base/python-build:bookworm', runtimeImage: 'datapub-base/python-slim:bookworm', databases, metadata: true, ...overrides })
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  tar.on('data', (c: unknown) => {
    chunks.push(c as Buffer)
  })
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()))
  for (const [name, body] of Object.entries(files)) tar.entry({ name, mtime: new Date(0) }, body)
  tar.finalize()
  await ended
  return Buffer.concat(chunks)
}

/** Pushes a small two-layer "runtime image" (not runnable; enough for manifest and config work). */
export async function pushSyntheticBase(client: RegistryClient, repository: string, tag: string, format: 'docker' | 'oci' = 'oci'): Promise<{ layers: Buffer[]; config: Buffer }> {
  const tars = [await tarOf({ 'etc/base-release': 'base\n' }), await tarOf({ 'opt/datasette/bin/datasette': '#!/bin/sh\n' })]
  const layers = tars.map((t) => gzipSync(t))
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/opt/datasette/bin:/usr/bin:/bin', 'PORT=9999'], Cmd: ['python3'], WorkingDir: '/app' },
    rootfs: { type: 'layers', diff_ids: tars.map(sha) },
    history: [{ created_by: 'base layer 1' }, { created_by: 'base layer 2' }],
    container_config: { Hostname: 'builder-host' },
  }))
  for (const blob of [config, ...layers]) await client.uploadBlob(repository, blobFromBuffer(blob))
  const docker = format === 'docker'
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip, digest: sha(l), size: l.length })),
  }))
  await client.putManifest(repository, tag, manifest, docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest)
  return { layers, config }
}

/** An app directory like a build context's `app/`: databases (random bytes stand in), inspect file, metadata, a template. */
export async function writeAppDir(dir: string, dbs: Record<string, Buffer | number>): Promise<void> {
  await mkdir(path.join(dir, 'templates'), { recursive: true })
  for (const [name, content] of Object.entries(dbs)) await writeFile(path.join(dir, name), typeof content === 'number' ? randomBytes(content) : content)
  await writeFile(path.join(dir, 'inspect-data.json'), JSON.stringify(Object.keys(dbs)))
  await writeFile(path.join(dir, 'metadata.json'), '{"title":"t"}\n')
  await writeFile(path.join(dir, 'templates', 'index.html'), '<h1>hi</h1>\n')
}
