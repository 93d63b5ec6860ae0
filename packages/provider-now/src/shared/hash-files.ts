import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'

export interface HashedFile {
  /** Path relative to the upload root, `/`-separated, as the API wants it. */
  file: string
  /** SHA-1 hex of the bytes: the API's content address. */
  sha: string
  size: number
  mode: number
  /** Absolute path, for the upload. Never sent. */
  absolute: string
}

/** SHA-1 of every file, streamed so a large database never sits in memory. */
export async function hashFiles(root: string, files: readonly string[]): Promise<HashedFile[]> {
  const out: HashedFile[] = []
  for (const file of [...files].sort()) {
    const absolute = path.join(root, ...file.split('/'))
    const info = await stat(absolute)
    const hash = createHash('sha1')
    for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer)
    out.push({ file, sha: hash.digest('hex'), size: info.size, mode: info.mode, absolute })
  }
  return out
}
