import { createHash } from 'node:crypto'
import { DatapubError } from '../../errors/datapub-error.js'
import { convertManifest, manifestBytes } from '../../registry/convert-manifest.js'
import type { Descriptor, ImageConfig, ImageManifest } from '../../registry/image-manifest.js'
import type { ManifestFormat } from '../../registry/media-types.js'
import { stackAppLayers, type AppendedLayer, type StackInput } from './stack-app-layers.js'
import type { RegistryClient } from '../../registry/registry-client.js'

/** What stackAppLayers takes (the recipe is the engine builder's, so Cmd, port and database names match), and the runtime image in a registry. */
export interface AppendBuildInput extends StackInput {
  /** The prebuilt runtime image: the recipe's final stage without /app's data. */
  base: { client: RegistryClient; repository: string; reference: string }
}

export type { AppendedLayer }

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

  const { layers, config } = await stackAppLayers(baseConfig, input)
  const configDescriptor = config.descriptor
  const configBytes = config.bytes
  const configJson = config.json
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

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
