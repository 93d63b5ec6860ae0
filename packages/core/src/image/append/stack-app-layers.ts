import { createHash } from 'node:crypto'
import path from 'node:path'
import { DatapubError } from '../../errors/datapub-error.js'
import type { Descriptor, ImageConfig } from '../../registry/image-manifest.js'
import { MEDIA_TYPES, type ManifestFormat } from '../../registry/media-types.js'
import { runBounded } from '../../registry/run-bounded.js'
import { listTree } from '../deterministic-tar.js'
import { IMAGE_PATHS, type RecipeInput } from '../recipe-input.js'
import { serveCommand } from '../render-dockerfile.js'
import { appendConfig } from './append-config.js'
import { layerTar, type LayerEntry } from './layer-tar.js'
import { LAYER_GZIP, writeGzipLayer, type WrittenLayer } from './write-gzip-layer.js'

export interface AppendedLayer extends WrittenLayer {
  descriptor: Descriptor
  /** What the layer holds, for history and progress messages. */
  label: string
}

export interface StackInput {
  /** The directory that becomes /app: a build context's `app/` (databases, inspect file, metadata, templates ...). */
  appDir: string
  recipe: RecipeInput
  format: ManifestFormat
  /** Where layer blobs are written (`<blobDir>/sha256/<hex>`). */
  blobDir: string
  /** Image creation time, RFC 3339; defaults to SOURCE_DATE_EPOCH or the Unix epoch for reproducible digests. */
  created?: string
  compressionLevel?: number
}

/**
 * The layers and config the append builder stacks on a runtime image, wherever that image lives
 * (a registry or the engine): one layer per database (so an unchanged database keeps its digest
 * and is never sent again), one for the rest of /app, and the base config extended with them.
 */
export async function stackAppLayers(baseConfig: ImageConfig, input: StackInput): Promise<{ layers: AppendedLayer[]; config: { bytes: Buffer; descriptor: Descriptor; json: ImageConfig } }> {
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
  return { layers, config: { bytes: configBytes, descriptor: configDescriptor, json: configJson } }
}

function defaultCreated(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : 0).toISOString().replace('.000Z', 'Z')
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}
