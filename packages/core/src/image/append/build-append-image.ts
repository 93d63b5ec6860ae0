import { createHash } from 'node:crypto'
import path from 'node:path'
import { DatapubError } from '../../errors/datapub-error.js'
import { convertManifest, manifestBytes } from '../../registry/convert-manifest.js'
import type { Descriptor, ImageConfig, ImageManifest } from '../../registry/image-manifest.js'
import { MEDIA_TYPES, type ManifestFormat } from '../../registry/media-types.js'
import type { RegistryClient } from '../../registry/registry-client.js'
import { runBounded } from '../../registry/run-bounded.js'
import { listTree } from '../deterministic-tar.js'
import { IMAGE_PATHS, type RecipeInput } from '../recipe-input.js'
import { serveCommand } from '../render-dockerfile.js'
import { appendConfig } from './append-config.js'
import { layerTar, type LayerEntry } from './layer-tar.js'
import { LAYER_GZIP, writeGzipLayer, type WrittenLayer } from './write-gzip-layer.js'

export interface AppendBuildInput {
  /** The prebuilt runtime image: the recipe's final stage without /app's data. */
  base: { client: RegistryClient; repository: string; reference: string }
  /** The directory that becomes /app: a build context's `app/` (databases, inspect file, metadata, templates ...). */
  appDir: string
  /** The same recipe input the engine builder uses, so Cmd, port and database names match an engine build. */
  recipe: RecipeInput
  format: ManifestFormat
  /** Where layer blobs are written (`<blobDir>/sha256/<hex>`); reused across builds. */
  blobDir: string
  /** Image creation time, RFC 3339; defaults to SOURCE_DATE_EPOCH or the Unix epoch for reproducible digests. */
  created?: string
  compressionLevel?: number
}

export interface AppendedLayer extends WrittenLayer {
  descriptor: Descriptor
  /** What the layer holds, for history and progress messages. */
  label: string
}

export interface AppendedImage {
  base: { client: RegistryClient; repository: string; manifest: ImageManifest }
  format: ManifestFormat
  layers: AppendedLayer[]
  config: { bytes: Buffer; descriptor: Descriptor; json: ImageConfig }
  manifest: { bytes: Buffer; mediaType: string; digest: string; json: ImageManifest }
  /** The blobs the new image adds on top of the base (the new layers and the config). */
  newBytes: number
}

/**
 * Builds an image without an engine: the runtime image's layers untouched, then one layer per
 * database (so an unchanged database keeps its digest and is never sent again) and one layer for
 * the rest of /app (inspect file, metadata, templates, plugins, static files), then a config and a
 * manifest. Nothing is pushed here; see pushAppendImage, writeOciLayout and writeDockerArchive.
 */
export async function buildAppendImage(input: AppendBuildInput): Promise<AppendedImage> {
  const { client, repository, reference } = input.base
  const base = await client.getImageManifest(repository, reference)
  const baseConfigBytes = await readAll(await client.getBlob(repository, base.json.config.digest))
  if (sha256(baseConfigBytes) !== base.json.config.digest) {
    throw new DatapubError('REGISTRY_ERROR', `The config of ${repository}:${reference} does not match its digest.`, { fault: 'host' })
  }
  const baseConfig = JSON.parse(baseConfigBytes.toString('utf8')) as ImageConfig

  const { entries, other } = await listTree(input.appDir)
  if (other.length > 0) {
    throw new DatapubError('INPUT_UNSAFE', `${input.appDir} holds entries that are neither files nor directories: ${other.slice(0, 3).join(', ')}.`, {
      hint: 'Symbolic links, sockets and devices are not copied into images; replace them with regular files.',
    })
  }
  const prefix = IMAGE_PATHS.app.replace(/^\//, '')
  const toLayerEntry = (e: (typeof entries)[number]): LayerEntry => ({
    path: `${prefix}/${e.path}`,
    type: e.type,
    size: e.size,
    executable: e.executable,
    ...(e.type === 'file' ? { source: path.join(input.appDir, e.path) } : {}),
  })
  const databases = new Set(input.recipe.databases)
  const plans: Array<{ label: string; entries: LayerEntry[] }> = []
  for (const db of input.recipe.databases) {
    const entry = entries.find((e) => e.path === db && e.type === 'file')
    if (entry === undefined) throw new DatapubError('INPUT_NOT_FOUND', `The database ${db} is missing from ${input.appDir}.`, { fault: 'internal' })
    plans.push({ label: `database ${db}`, entries: [toLayerEntry(entry)] })
  }
  const rest = entries.filter((e) => !(e.type === 'file' && databases.has(e.path)) && e.path !== '')
  if (rest.length > 0) plans.push({ label: 'app files', entries: rest.map(toLayerEntry) })

  const level = input.compressionLevel ?? LAYER_GZIP.level
  const created = input.created ?? defaultCreated()
  const mtime = new Date(Date.parse(created))
  // Two at a time: gzip is CPU-bound and one core stays free for the rest of the pipeline.
  const written = await runBounded(plans, 2, async (plan) => ({ ...(await writeGzipLayer(layerTar(plan.entries, mtime), input.blobDir, level)), label: plan.label }))
  const docker = input.format === 'docker'
  const layers: AppendedLayer[] = written.map((w) => ({
    ...w,
    descriptor: { mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip, digest: w.digest, size: w.size },
  }))

  const configJson = appendConfig(baseConfig, {
    cmd: ['/bin/sh', '-c', serveCommand(input.recipe)],
    port: input.recipe.port,
    workingDir: IMAGE_PATHS.app,
    created,
    layers: layers.map((l) => ({ diffId: l.diffId, createdBy: `datapub append: ${l.label}` })),
  })
  const configBytes = Buffer.from(JSON.stringify(configJson))
  const configDescriptor: Descriptor = { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: sha256(configBytes), size: configBytes.length }
  const converted = convertManifest(base.json, input.format)
  const manifestJson: ImageManifest = { ...converted, config: configDescriptor, layers: [...converted.layers, ...layers.map((l) => l.descriptor)] }
  const bytes = manifestBytes(manifestJson)
  return {
    base: { client, repository, manifest: base.json },
    format: input.format,
    layers,
    config: { bytes: configBytes, descriptor: configDescriptor, json: configJson },
    manifest: { bytes, mediaType: manifestJson.mediaType, digest: sha256(bytes), json: manifestJson },
    newBytes: layers.reduce((sum, l) => sum + l.size, 0) + configBytes.length,
  }
}

function defaultCreated(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : 0).toISOString().replace('.000Z', 'Z')
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
