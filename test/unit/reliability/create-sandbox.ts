import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, readlink, lstat, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface Sandbox {
  root: string
  /** The cwd of every run: the only folder a run may write into (its generate dirs live here). */
  work: string
  /** Sentinel tree outside the work folder: nothing may create, change or remove anything here. */
  outside: string
  /** Every entry under `root` except `work`, with size, mode and content hash. */
  snapshot(): Promise<string[]>
  remove(): Promise<void>
}

/**
 * A root with `work/` (cwd, a small CSV) and `outside/` (files a hostile input may try to read
 * through, overwrite or create beside). Snapshots cover everything but `work/`.
 */
export async function createSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(path.join(tmpdir(), 'datapub-hostile-'))
  const work = path.join(root, 'work')
  const outside = path.join(root, 'outside')
  await mkdir(work)
  await mkdir(path.join(outside, 'empty'), { recursive: true })
  await writeFile(path.join(work, 'data.csv'), 'id,name\n1,robin\n2,heron\n')
  await writeFile(path.join(outside, 'secret.csv'), 'id,secret\n1,outside-row-9f1c\n')
  await writeFile(path.join(outside, 'meta.json'), '{"title":"outside"}\n')
  await writeFile(path.join(outside, 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
  await mkdir(path.join(outside, 'static'))
  await writeFile(path.join(outside, 'static', 'leak.txt'), 'outside static file\n')
  return {
    root,
    work,
    outside,
    snapshot: () => walk(root, root, new Set([work])),
    remove: () => rm(root, { recursive: true, force: true }),
  }
}

async function walk(dir: string, root: string, skip: Set<string>): Promise<string[]> {
  const out: string[] = []
  for (const name of (await readdir(dir)).sort()) {
    const file = path.join(dir, name)
    if (skip.has(file)) continue
    const info = await lstat(file)
    const rel = path.relative(root, file)
    if (info.isSymbolicLink()) out.push(`${rel} -> ${await readlink(file)}`)
    else if (info.isDirectory()) out.push(`${rel}/ ${info.mode.toString(8)}`, ...(await walk(file, root, skip)))
    else out.push(`${rel} ${info.size} ${info.mode.toString(8)} ${createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 16)}`)
  }
  return out
}

/** Creates a symbolic link inside the sandbox; `target` is written as given (relative or absolute). */
export async function link(target: string, at: string): Promise<void> {
  await mkdir(path.dirname(at), { recursive: true })
  await symlink(target, at)
}
