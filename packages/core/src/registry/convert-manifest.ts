import { DatapubError } from '../errors/datapub-error.js'
import type { Descriptor, ImageManifest } from './image-manifest.js'
import { MEDIA_TYPES, type ManifestFormat } from './media-types.js'

const LAYER_TYPES: Record<string, { docker: string; oci: string }> = {
  [MEDIA_TYPES.dockerLayerGzip]: { docker: MEDIA_TYPES.dockerLayerGzip, oci: MEDIA_TYPES.ociLayerGzip },
  [MEDIA_TYPES.ociLayerGzip]: { docker: MEDIA_TYPES.dockerLayerGzip, oci: MEDIA_TYPES.ociLayerGzip },
}

/**
 * Rewrites a manifest's media types for another format. The blobs stay byte-identical (a Docker
 * and an OCI config or gzip layer are the same bytes); only the manifest, and so its digest, changes.
 */
export function convertManifest(manifest: ImageManifest, format: ManifestFormat): ImageManifest {
  const docker = format === 'docker'
  const layers = manifest.layers.map((layer): Descriptor => {
    const mapped = LAYER_TYPES[layer.mediaType]
    if (mapped === undefined) {
      if (!docker && layer.mediaType.startsWith('application/vnd.oci.')) return layer
      throw new DatapubError('IMAGE_OVER_BUDGET', `A layer of type ${layer.mediaType} cannot be expressed as a Docker v2 schema 2 manifest.`, {
        fault: 'user',
        hint: 'Rebuild the base image with gzip layers for hosts that take only Docker manifests (Heroku).',
        details: { digest: layer.digest },
      })
    }
    return { mediaType: mapped[format], digest: layer.digest, size: layer.size, ...(layer.annotations && !docker ? { annotations: layer.annotations } : {}) }
  })
  return {
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: manifest.config.digest, size: manifest.config.size },
    layers,
    ...(manifest.annotations && !docker ? { annotations: manifest.annotations } : {}),
  }
}

/** The canonical bytes datapub pushes: compact JSON, keys in the order written above. */
export function manifestBytes(manifest: ImageManifest): Buffer {
  return Buffer.from(JSON.stringify(manifest))
}
