import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { DatapubError } from '@datapub/core/kit'

/** Heroku builds the Dockerfile itself when the app is on the container stack and heroku.yml says so. */
export const HEROKU_YML = 'build:\n  docker:\n    web: Dockerfile\n'

export interface PackedContext {
  file: string
  bytes: number
  /** `SHA256:<hex>`, the form the builds API takes as source_blob.checksum. */
  checksum: string
  remove(): Promise<void>
}

/**
 * Writes the context and a generated heroku.yml into a gzipped tarball in a temp dir (never into
 * the shared context dir). Entries are sorted with fixed times and owners, so the same context
 * gives the same bytes; symlinks and other special files are refused.
 */
export async function packContext(dir: string, files: string[], signal: AbortSignal): Promise<PackedContext> {
  const work = await mkdtemp(path.join(tmpdir(), 'datapub-heroku-'))
  const file = path.join(work, 'source.tar.gz')
  const pack = tar.pack()
  const hash = createHash('sha256')
  let bytes = 0
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
  })
  const written = pipeline(pack, createGzip({ level: 6 }), count, createWriteStream(file), { signal })
  try {
    const names = [...new Set(files)].filter((f) => f !== 'heroku.yml').sort()
    for (const name of names) {
      if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw unsafe(name, 'it leaves the context directory')
      const full = path.join(dir, name)
      const info = await lstat(full)
      if (!info.isFile()) throw unsafe(name, 'it is not a regular file')
      await addFile(pack, name, full, info.size, info.mode & 0o111 ? 0o755 : 0o644)
    }
    await addBuffer(pack, 'heroku.yml', Buffer.from(HEROKU_YML))
    pack.finalize()
    await written
  } catch (error) {
    pack.destroy()
    await written.catch(() => undefined)
    await rm(work, { recursive: true, force: true })
    throw error
  }
  return { file, bytes, checksum: `SHA256:${hash.digest('hex')}`, remove: () => rm(work, { recursive: true, force: true }) }
}

const FIXED = { mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' }

function addBuffer(pack: tar.Pack, name: string, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name, mode: 0o644, ...FIXED }, content, (error) => (error ? reject(error) : resolve())))
}

async function addFile(pack: tar.Pack, name: string, full: string, size: number, mode: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mode, ...FIXED }, (error) => (error ? reject(error) : resolve()))
    pipeline(createReadStream(full), entry).catch(reject)
  })
}

function unsafe(name: string, why: string): DatapubError {
  return new DatapubError('INPUT_UNSAFE', `Refusing to upload ${name} to Heroku: ${why}.`, { fault: 'internal', provider: 'heroku' })
}
