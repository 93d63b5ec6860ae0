import type { VercelEraLimits } from './vercel-eras.js'

export interface BundleFile {
  file: string
  bytes: number
  /** Deflated size, needed for eras that measured the zipped lambda. */
  compressedBytes?: number
}

export interface BundleCheck {
  ok: boolean
  /** Measured total (compressed or not, per the era). */
  totalBytes: number
  limitBytes: number
  /** Files over the per-file limit. */
  oversizedFiles: Array<{ file: string; bytes: number }>
  /** The largest files whose removal would bring the bundle under the limit. */
  culprits: Array<{ file: string; bytes: number }>
}

/**
 * Checks the bundle against an era's limits before anything is uploaded, and names the files
 * that push it over: the fewest largest files whose removal makes it fit.
 */
export function checkBundleLimits(files: readonly BundleFile[], limits: Pick<VercelEraLimits, 'bundleBytes' | 'measure' | 'fileBytes'>): BundleCheck {
  const measured = files.map((f) => ({ file: f.file, bytes: limits.measure === 'compressed' ? (f.compressedBytes ?? f.bytes) : f.bytes }))
  const totalBytes = measured.reduce((sum, f) => sum + f.bytes, 0)
  const oversizedFiles = files.filter((f) => f.bytes > limits.fileBytes).map((f) => ({ file: f.file, bytes: f.bytes }))
  const culprits: BundleCheck['culprits'] = []
  let remaining = totalBytes
  for (const f of [...measured].sort((a, b) => b.bytes - a.bytes || a.file.localeCompare(b.file))) {
    if (remaining <= limits.bundleBytes) break
    culprits.push(f)
    remaining -= f.bytes
  }
  return { ok: oversizedFiles.length === 0 && culprits.length === 0, totalBytes, limitBytes: limits.bundleBytes, oversizedFiles, culprits }
}
