import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { tarStream } from '../../util/tar-stream.js'
import type { AppendedImage } from './build-append-image.js'

/**
 * Writes a `docker save` style archive that `docker load` accepts: manifest.json naming the
 * config, the tag and the layer files. Layers stay gzip-compressed (docker load decompresses
 * them), base layers are streamed from the runtime image's registry straight into the tar.
 */
export async function writeDockerArchive(image: AppendedImage, file: string, repoTag: string): Promise<void> {
  const tar = tarStream().pack()
  const done = pipeline(tar, createWriteStream(file))
  const hex = (digest: string): string => digest.replace(/^sha256:/, '')
  const configName = `${hex(image.config.descriptor.digest)}.json`
  const layerNames: string[] = []
  const add = (name: string, size: number, body: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const sink = tar.entry({ name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, (error) => (error ? reject(error) : resolve()))
      body.on('error', reject)
      body.pipe(sink)
    })
  try {
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name: configName, mode: 0o644, mtime: new Date(0) }, image.config.bytes, (error) => (error ? reject(error) : resolve())),
    )
    for (const layer of image.base.manifest.layers) {
      const name = `${hex(layer.digest)}/layer.tar`
      layerNames.push(name)
      await add(name, layer.size, await image.base.client.getBlob(image.base.repository, layer.digest))
    }
    for (const layer of image.layers) {
      const name = `${hex(layer.digest)}/layer.tar`
      layerNames.push(name)
      await add(name, layer.size, createReadStream(layer.path, { highWaterMark: 1024 * 1024 }))
    }
    const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]))
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name: 'manifest.json', mode: 0o644, mtime: new Date(0) }, manifest, (error) => (error ? reject(error) : resolve())),
    )
    tar.finalize()
  } catch (error) {
    tar.destroy(error as Error)
    await done.catch(() => undefined)
    throw error
  }
  await done
}
