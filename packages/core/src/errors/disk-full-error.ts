import { statfsSync } from 'node:fs'
import path from 'node:path'
import { DatapubError } from './datapub-error.js'

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])

/** True when `error`, or an error in its cause chain, says the file system (or quota) is full. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && FULL_CODES.has(code)) return true
    if (e instanceof Error && /database or disk is full/i.test(e.message)) return true
  }
  return false
}

/**
 * DISK_FULL naming the path that could not be written, the space the step needs (when known)
 * and what the file system holding it has free, so the user knows how much to clear or where
 * else to point TMPDIR, --generate-dir or the output.
 */
export function diskFullError(target: string, options: { neededBytes?: number; cause?: unknown; what?: string } = {}): DatapubError {
  const free = freeBytes(target)
  const needs = options.neededBytes === undefined ? 'more space' : `about ${mb(options.neededBytes)}`
  const has = free === undefined ? '' : `, ${mb(free)} free`
  return new DatapubError('DISK_FULL', `No space left to write ${options.what ?? target}: it needs ${needs}${has} on the file system holding ${target}.`, {
    fault: 'user',
    path: target,
    hint: 'Free space there, or write elsewhere (TMPDIR for the work folder, another --generate-dir or output path). Nothing partial was kept.',
    details: { path: target, ...(options.neededBytes === undefined ? {} : { neededBytes: options.neededBytes }), ...(free === undefined ? {} : { freeBytes: free }) },
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  })
}

function freeBytes(target: string): number | undefined {
  for (let dir = target; ; dir = path.dirname(dir)) {
    try {
      const s = statfsSync(dir)
      return Number(s.bavail) * Number(s.bsize)
    } catch {
      if (path.dirname(dir) === dir) return undefined
    }
  }
}

function mb(bytes: number): string {
  return bytes >= 10 * 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
