import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'

/** `datapub-<pid>-<random>`: the work folder of one publish, named after the process that owns it. */
export const WORK_DIR_PREFIX = `datapub-${process.pid}-`
const WORK_DIR = /^datapub-(\d+)-[A-Za-z0-9]{6}$/

/**
 * Removes work folders left by publishes whose process is gone (SIGKILL, OOM, power loss): a
 * killed process cannot run its `finally`, so the next publish cleans up after it. Only folders
 * in datapub's own naming whose owner pid is not alive are touched.
 */
export async function sweepStaleWorkDirs(dir: string): Promise<string[]> {
  const removed: string[] = []
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    const pid = Number(WORK_DIR.exec(name)?.[1] ?? Number.NaN)
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue
    await rm(path.join(dir, name), { recursive: true, force: true }).then(() => removed.push(name), () => undefined)
  }
  return removed
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
