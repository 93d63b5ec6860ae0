import { createReadStream } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../util/tar-stream.js'

/** Fixed for every entry: the tar, and so the build cache key and hash, depend on content only. */
const MTIME = new Date(0)

export interface TarEntry {
  /** Relative POSIX path; directories without a trailing slash. */
  path: string
  type: 'file' | 'directory'
  size: number
  executable: boolean
}

/** Every file and directory under `dir`, sorted by path; anything else (symlink, fifo) is returned as `other`. */
export async function listTree(dir: string): Promise<{ entries: TarEntry[]; other: string[] }> {
  const entries: TarEntry[] = []
  const other: string[] = []
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(dir, rel))).sort()
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`
      const info = await lstat(path.join(dir, childRel))
      if (info.isDirectory()) {
        entries.push({ path: childRel, type: 'directory', size: 0, executable: true })
        await walk(childRel)
      } else if (info.isFile()) {
        entries.push({ path: childRel, type: 'file', size: info.size, executable: (info.mode & 0o111) !== 0 })
      } else {
        other.push(childRel)
      }
    }
  }
  await walk('')
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { entries, other }
}

/**
 * A tar of `entries` read from `dir`: sorted, mtime 0, uid/gid 0, no user or group names,
 * modes 0755 for directories and executables and 0644 otherwise (reference 4.4), so two
 * directories with the same content give byte-identical tars.
 */
export function deterministicTar(dir: string, entries: TarEntry[]): Readable {
  const out = new PassThrough()
  const tar = tarStream().pack()
  const write = async () => {
    for (const entry of entries) {
      const header = {
        name: entry.path,
        mode: entry.type === 'directory' || entry.executable ? 0o755 : 0o644,
        mtime: MTIME,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
      }
      if (entry.type === 'directory') {
        await new Promise<void>((resolve, reject) => tar.entry({ ...header, type: 'directory' }, (error) => (error ? reject(error) : resolve())))
        continue
      }
      const sink = tar.entry({ ...header, type: 'file', size: entry.size }, () => undefined)
      await pipeline(createReadStream(path.join(dir, entry.path)), sink)
    }
    tar.finalize()
  }
  // A failed read destroys the entry and with it the pack: its error belongs to the returned
  // stream (whose reader handles it), never to an 'error' event nobody listens to, which would
  // crash the process (a cancelled publish removes the folder while the engine still reads it).
  tar.on('error', (error: Error) => out.destroy(error))
  tar.pipe(out)
  write().catch((error: Error) => out.destroy(error))
  return out
}
