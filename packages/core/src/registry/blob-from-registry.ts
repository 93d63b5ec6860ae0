import { PassThrough } from 'node:stream'
import type { BlobSource } from './blob-source.js'
import type { Descriptor } from './image-manifest.js'
import type { RegistryClient } from './registry-client.js'

/**
 * A blob read from a registry as an upload source. Each open() asks the registry again, so a
 * failed upload restarts with a fresh download instead of a half-consumed stream.
 */
export function blobFromRegistry(client: RegistryClient, repository: string, descriptor: Descriptor): BlobSource {
  return {
    digest: descriptor.digest,
    size: descriptor.size,
    replayable: true,
    open: () => {
      const out = new PassThrough({ highWaterMark: 1024 * 1024 })
      client.getBlob(repository, descriptor.digest, descriptor.size).then(
        (stream) => {
          stream.on('error', (error) => out.destroy(error))
          stream.pipe(out)
        },
        (error: Error) => out.destroy(error),
      )
      return out
    },
  }
}
