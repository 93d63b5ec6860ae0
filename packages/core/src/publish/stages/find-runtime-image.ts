import { isDatapubError } from '../../errors/datapub-error.js'
import type { ImageManifest } from '../../registry/image-manifest.js'
import type { RegistryClient } from '../../registry/registry-client.js'

/** The runtime image's manifest, or undefined when the registry does not have it (yet). Reads only. */
export async function findRuntimeImage(client: RegistryClient, repository: string, key: string): Promise<ImageManifest | undefined> {
  try {
    return (await client.getImageManifest(repository, key)).json
  } catch (error) {
    if (isDatapubError(error) && error.code === 'IMAGE_NOT_FOUND') return undefined
    throw error
  }
}
