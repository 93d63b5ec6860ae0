import { createReadStream } from 'node:fs'
import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../../util/tar-stream.js'

export interface LayerEntry {
  /** Path inside the image, relative to `/`, POSIX, no trailing slash: `app/fixtures.db`. */
  path: string
  type: 'file' | 'directory'
  /** Absolute host path of a file's bytes, or the bytes themselves. */
  source?: string
  data?: Buffer
  size: number
  executable?: boolean
}

const EPOCH = new Date(0)

/**
 * A layer tar with nothing from the host but content: entries sorted by path with every parent
 * directory present, mtime fixed, uid/gid 0 without names, modes 0755 (directories and
 * executables) or 0644 (image-spec layer.md, reference 4.4).
 */
export function layerTar(entries: LayerEntry[], mtime: Date = EPOCH): Readable {
  const byPath = new Map<string, LayerEntry>()
  for (const entry of entries) {
    const parts = entry.path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (!byPath.has(dir)) byPath.set(dir, { path: dir, type: 'directory', size: 0 })
    }
    byPath.set(entry.path, entry)
  }
  const sorted = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const out = new PassThrough({ highWaterMark: 1024 * 1024 })
  const tar = tarStream().pack()
  const write = async (): Promise<void> => {
    for (const entry of sorted) {
      const header = { name: entry.type === 'directory' ? `${entry.path}/` : entry.path, mode: entry.type === 'directory' || entry.executable ? 0o755 : 0o644, mtime, uid: 0, gid: 0, uname: '', gname: '' }
      if (entry.type === 'directory') {
        await new Promise<void>((resolve, reject) => tar.entry({ ...header, type: 'directory' }, (error) => (error ? reject(error) : resolve())))
      } else if (entry.data !== undefined) {
        const data = entry.data
        await new Promise<void>((resolve, reject) => tar.entry({ ...header, type: 'file', size: data.length }, data, (error) => (error ? reject(error) : resolve())))
      } else {
        const sink = tar.entry({ ...header, type: 'file', size: entry.size })
        await pipeline(createReadStream(entry.source!, { highWaterMark: 1024 * 1024 }), sink)
      }
    }
    tar.finalize()
  }
  // A failed read destroys the pack too: its error goes to the returned stream, never to an
  // unheard 'error' event that would crash the process (see deterministic-tar.ts).
  tar.on('error', (error: Error) => out.destroy(error))
  tar.pipe(out)
  write().catch((error: Error) => out.destroy(error))
  return out
}
