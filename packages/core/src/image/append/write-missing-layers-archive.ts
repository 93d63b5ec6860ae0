import { createReadStream } from 'node:fs'
import type { EngineAppendedImage } from './build-engine-append-image.js'
import { writeLoadArchive } from './write-load-archive.js'

/**
 * A `docker load` archive holding only what the engine lacks: the config, the new layers and
 * manifest.json naming every layer, the runtime image's included, by path. dockerd's `docker load`
 * (daemon/internal/image/tarexport/load.go) walks the config's diff_ids, computes each chain ID
 * and opens a layer file only when its layer store has no layer with that chain ID; the runtime
 * image's layers are there, so their files are never opened and may be absent. Returns the
 * archive's size: the bytes that cross to the engine.
 */
export async function writeMissingLayersArchive(image: EngineAppendedImage, file: string, repoTag: string): Promise<number> {
  return writeLoadArchive(
    file,
    { digest: image.config.descriptor.digest, bytes: image.config.bytes },
    [
      // Named after the diff ID; never written: the engine already holds this chain.
      ...image.base.diffIds.map((diffId) => ({ digest: diffId })),
      ...image.layers.map((layer) => ({ digest: layer.digest, size: layer.size, open: async () => createReadStream(layer.path, { highWaterMark: 1024 * 1024 }) })),
    ],
    repoTag,
  )
}
