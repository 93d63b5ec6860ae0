import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../../util/tar-stream.js'

/** A layer of a `docker load` archive: with `open`, its file is written; without, only named (the engine holds it). */
export interface LoadArchiveLayer {
  /** Digest or diff ID; the file is `<hex>/layer.tar`. */
  digest: string
  size?: number
  open?: () => Promise<Readable>
}

/**
 * Writes a `docker save` style archive that `docker load` accepts: the config, the layer files
 * given a body, and manifest.json naming the config, the tag and every layer in order. Returns
 * the archive's size: the bytes that cross to the engine.
 */
export async function writeLoadArchive(file: string, config: { digest: string; bytes: Buffer }, layers: LoadArchiveLayer[], repoTag: string): Promise<number> {
  const tar = tarStream().pack()
  const done = pipeline(tar, createWriteStream(file))
  const hex = (digest: string): string => digest.replace(/^sha256:/, '')
  const header = (name: string, size?: number) => ({ name, ...(size === undefined ? {} : { size }), mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 })
  const buffer = (name: string, body: Buffer): Promise<void> => new Promise((resolve, reject) => tar.entry(header(name), body, (error) => (error ? reject(error) : resolve())))
  const stream = (name: string, size: number | undefined, body: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const sink = tar.entry(header(name, size), (error) => (error ? reject(error) : resolve()))
      body.on('error', reject)
      body.pipe(sink)
    })
  try {
    const configName = `${hex(config.digest)}.json`
    await buffer(configName, config.bytes)
    const names: string[] = []
    for (const layer of layers) {
      const name = `${hex(layer.digest)}/layer.tar`
      names.push(name)
      if (layer.open) await stream(name, layer.size, await layer.open())
    }
    await buffer('manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: names }])))
    tar.finalize()
  } catch (error) {
    tar.destroy(error as Error)
    await done.catch(() => undefined)
    throw error
  }
  await done
  return (await stat(file)).size
}
