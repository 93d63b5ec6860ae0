import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { pack } from 'tar-stream'
import type { EngineAppendedImage } from './build-engine-append-image.js'

/**
 * A `docker save` style archive holding only what the engine lacks: the config, the new layers
 * and manifest.json naming every layer, the runtime image's included, by path. dockerd's
 * `docker load` (daemon/internal/image/tarexport/load.go) walks the config's diff_ids, computes
 * each chain ID and opens a layer file only when its layer store has no layer with that chain
 * ID; the runtime image's layers are there, so their files are never opened and may be absent.
 * Returns the archive's size: the bytes that cross to the engine.
 */
export async function writeMissingLayersArchive(image: EngineAppendedImage, file: string, repoTag: string): Promise<number> {
  const tar = pack()
  const done = pipeline(tar, createWriteStream(file))
  const hex = (digest: string): string => digest.replace(/^sha256:/, '')
  const configName = `${hex(image.config.descriptor.digest)}.json`
  const entry = (name: string, body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => tar.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, body, (error) => (error ? reject(error) : resolve())))
  try {
    await entry(configName, image.config.bytes)
    // Named after the diff ID; never written: the engine already holds this chain.
    const layerNames = image.base.diffIds.map((diffId) => `${hex(diffId)}/layer.tar`)
    for (const layer of image.layers) {
      const name = `${hex(layer.digest)}/layer.tar`
      layerNames.push(name)
      await new Promise<void>((resolve, reject) => {
        const sink = tar.entry({ name, size: layer.size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, (error) => (error ? reject(error) : resolve()))
        const body = createReadStream(layer.path, { highWaterMark: 1024 * 1024 })
        body.on('error', reject)
        body.pipe(sink)
      })
    }
    await entry('manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }])))
    tar.finalize()
  } catch (error) {
    tar.destroy(error as Error)
    await done.catch(() => undefined)
    throw error
  }
  await done
  return (await stat(file)).size
}
