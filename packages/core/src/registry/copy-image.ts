import { blobFromRegistry } from './blob-from-registry.js'
import { convertManifest, manifestBytes } from './convert-manifest.js'
import type { ImageManifest } from './image-manifest.js'
import type { ManifestFormat } from './media-types.js'
import { pushImage, type PushImageOptions, type PushImageResult } from './push-image.js'
import type { RegistryClient } from './registry-client.js'

export interface CopyImageInput {
  from: { client: RegistryClient; repository: string; reference: string }
  to: { client: RegistryClient; repository: string; tags: string[] }
  /** Rewrite the manifest for the target host (e.g. `docker` for Heroku); omitted keeps the source bytes and digest. */
  format?: ManifestFormat
  platform?: { os: string; architecture: string }
}

/**
 * Copies one single-platform image between repositories or registries (for migrations): blobs
 * are mounted when both sides are the same registry, otherwise streamed from the source into
 * the target without touching the disk.
 */
export async function copyImage(input: CopyImageInput, options: PushImageOptions = {}): Promise<PushImageResult> {
  const { from, to } = input
  const source = await from.client.getImageManifest(from.repository, from.reference, input.platform)
  const sameRegistry = from.client.registry === to.client.registry
  let bytes = source.bytes
  let mediaType = source.mediaType
  if (input.format !== undefined) {
    const converted = convertManifest(source.json, input.format)
    if (converted.mediaType !== source.mediaType) {
      bytes = manifestBytes(converted)
      mediaType = converted.mediaType
    }
  }
  const manifest: ImageManifest = source.json
  const descriptors = [manifest.config, ...manifest.layers]
  return pushImage(
    to.client,
    {
      repository: to.repository,
      blobs: descriptors.map((descriptor) => ({
        descriptor,
        ...(sameRegistry ? { mountFrom: from.repository } : {}),
        source: () => blobFromRegistry(from.client, from.repository, descriptor),
      })),
      manifest: { bytes, mediaType },
      tags: to.tags,
    },
    options,
  )
}
