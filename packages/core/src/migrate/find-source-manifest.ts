import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import type { FetchedManifest } from '../registry/registry-client.js'
import type { RegistryClient } from '../registry/registry-client.js'
import type { ImageManifest } from '../registry/image-manifest.js'

export type SourceManifest = FetchedManifest & { json: ImageManifest; reference: string }

/**
 * Finds the exported image in its registry. Hosts record different digests: Cloud Run the
 * manifest digest, Heroku the image (config) digest, which no registry can look up. So a digest
 * is tried as a manifest first, then matched against the config of each tagged manifest.
 */
export async function findSourceManifest(client: RegistryClient, repository: string, ref: { tag?: string; digest?: string }): Promise<SourceManifest> {
  if (ref.digest !== undefined) {
    try {
      return { ...(await client.getImageManifest(repository, ref.digest)), reference: ref.digest }
    } catch (error) {
      // Asked for a config blob as a manifest, distribution answers 404 or, finding the blob but not a manifest, 500.
      const status = isDatapubError(error) ? error.details?.status : undefined
      if (!isDatapubError(error) || !(error.code === 'IMAGE_NOT_FOUND' || (error.code === 'REGISTRY_ERROR' && (status === 400 || status === 500)))) throw error
    }
    const tags = ref.tag === undefined ? await client.listTags(repository) : [ref.tag]
    for (const tag of tags) {
      const candidate = await client.getImageManifest(repository, tag).catch(() => undefined)
      if (candidate?.json.config.digest === ref.digest) return { ...candidate, reference: candidate.digest }
    }
    throw new DatapubError('MIGRATE_IMAGE_NOT_FOUND', `Image ${ref.digest} is not in ${client.registry}/${repository} (looked at the manifest and ${tags.length} tag(s)).`, {
      fault: 'user',
      hint: 'The host may have garbage-collected it; migrate from the recorded inputs with --sources-dir instead.',
      details: { registry: client.registry, repository, digest: ref.digest },
    })
  }
  const tag = ref.tag ?? 'latest'
  const found = await client.getImageManifest(repository, tag)
  return { ...found, reference: found.digest }
}
