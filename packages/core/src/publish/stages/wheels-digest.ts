import { createHash } from 'node:crypto'
import { lstat, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

/** What createBuildContext copies from --pip-find-links into the context's wheels/. */
const WHEEL_FILE = /\.(?:whl|tar\.gz|zip)$/

/**
 * Wheels shape the runtime image but not its Dockerfile, so they take part in its key: new
 * wheels give a new runtime image. Same files, same digest, whether read from the
 * --pip-find-links folder (plan) or from the context's copy (publish).
 */
export async function wheelsDigest(dir: string | undefined): Promise<string> {
  if (dir === undefined) return ''
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => WHEEL_FILE.test(n)).sort()
  const hash = createHash('sha256')
  let count = 0
  for (const name of names) {
    const file = path.join(dir, name)
    if (!(await lstat(file)).isFile()) continue
    hash.update(name).update('\0').update(await readFile(file)).update('\0')
    count += 1
  }
  return count === 0 ? '' : hash.digest('hex')
}
