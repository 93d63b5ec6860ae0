import { createReadStream } from 'node:fs'
import type { AppendedImage } from './build-append-image.js'
import { writeLoadArchive } from './write-load-archive.js'

/**
 * The whole appended image as a `docker load` archive. Layers stay gzip-compressed (docker load
 * decompresses them); base layers are streamed from the runtime image's registry straight into the tar.
 */
export async function writeDockerArchive(image: AppendedImage, file: string, repoTag: string): Promise<void> {
  await writeLoadArchive(
    file,
    { digest: image.config.descriptor.digest, bytes: image.config.bytes },
    [
      ...image.base.manifest.layers.map((layer) => ({ digest: layer.digest, size: layer.size, open: () => image.base.client.getBlob(image.base.repository, layer.digest) })),
      ...image.layers.map((layer) => ({ digest: layer.digest, size: layer.size, open: async () => createReadStream(layer.path, { highWaterMark: 1024 * 1024 }) })),
    ],
    repoTag,
  )
}
