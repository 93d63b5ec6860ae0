import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'

export interface WrittenLayer {
  /** sha256 of the gzip blob: the manifest's layer digest. */
  digest: string
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string
  size: number
  /** The blob file, under `<blobDir>/sha256/<hex>`. */
  path: string
}

/** The one gzip datapub writes. Changing it changes every layer digest, so it is pinned here. */
export const LAYER_GZIP = { level: 6, memLevel: 8, strategy: zlib.constants.Z_DEFAULT_STRATEGY } as const

/**
 * Streams a tar through sha256 (DiffID), a pinned gzip and sha256 again (digest) into a blob
 * file, in constant memory. node:zlib writes mtime 0 and no file name; the OS byte is set to 255
 * ("unknown", as Go writes it) so the header says nothing about the machine. The deflate stream
 * itself depends on the zlib build: the same Node version gives the same digests everywhere.
 */
export async function writeGzipLayer(tar: Readable, blobDir: string, level: number = LAYER_GZIP.level): Promise<WrittenLayer> {
  const dir = path.join(blobDir, 'sha256')
  await mkdir(dir, { recursive: true })
  const temp = path.join(dir, `.tmp-${randomUUID()}`)
  const diff = createHash('sha256')
  const blob = createHash('sha256')
  let size = 0
  let headerPatched = false
  const observeTar = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      diff.update(chunk)
      done(null, chunk)
    },
  })
  const observeBlob = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!headerPatched && size === 0 && chunk.length >= 10) {
        chunk = Buffer.from(chunk)
        chunk[9] = 0xff
        headerPatched = true
      }
      size += chunk.length
      blob.update(chunk)
      done(null, chunk)
    },
  })
  try {
    await pipeline(tar, observeTar, zlib.createGzip({ ...LAYER_GZIP, level }), observeBlob, createWriteStream(temp))
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  const hex = blob.digest('hex')
  const final = path.join(dir, hex)
  await rename(temp, final)
  return { digest: `sha256:${hex}`, diffId: `sha256:${diff.digest('hex')}`, size, path: final }
}
