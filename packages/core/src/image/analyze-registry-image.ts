import { DatapubError } from '../errors/datapub-error.js'
import type { RegistryClient } from '../registry/registry-client.js'
import { MEDIA_TYPES } from '../registry/media-types.js'
import { analyzeLayers, type AnalyzeOptions, type ImageConfigSummary } from './analyze-layers.js'
import type { ImageReport, ParsedLayer } from './image-report.js'
import { readLayer } from './read-image-archive.js'

/**
 * The same report as analyzeImage, read from a registry instead of an engine: the manifest, the
 * config and each layer blob streamed once (never stored), so an image can be checked where it
 * was pushed, or before a migration copies it, with no engine at all.
 */
export async function analyzeRegistryImage(client: RegistryClient, repository: string, reference: string, options: AnalyzeOptions = {}): Promise<ImageReport> {
  const manifest = await client.getImageManifest(repository, reference)
  const chunks: Buffer[] = []
  for await (const chunk of await client.getBlob(repository, manifest.json.config.digest)) chunks.push(chunk as Buffer)
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImageConfigSummary
  const warnings: string[] = []
  const layers: ParsedLayer[] = []
  for (const descriptor of manifest.json.layers) {
    const gzipped = descriptor.mediaType === MEDIA_TYPES.dockerLayerGzip || descriptor.mediaType === MEDIA_TYPES.ociLayerGzip
    if (!gzipped && descriptor.mediaType !== MEDIA_TYPES.ociLayerTar) {
      throw new DatapubError('IMAGE_NOT_FOUND', `Layer ${descriptor.digest} of ${repository}:${reference} is ${descriptor.mediaType}, which datapub cannot read.`, {
        hint: 'Only gzip and uncompressed tar layers are analysed; re-push the image with gzip layers.',
      })
    }
    const layer = await readLayer(await client.getBlob(repository, descriptor.digest), gzipped, !gzipped)
    if (layer.digest !== descriptor.digest) warnings.push(`layer ${descriptor.digest} arrived with digest ${layer.digest}`)
    layers.push(layer)
  }
  const report = analyzeLayers(layers, config, options)
  return {
    ref: `${client.registry}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`,
    format: 'registry',
    imageId: manifest.json.config.digest,
    ...report,
    warnings: [...warnings, ...report.warnings],
  }
}
