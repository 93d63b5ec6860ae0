import { DatapubError } from '@datapub/core/kit'
import { apiErrorOf } from './api-error-of.js'
import type { HashedFile } from './hash-files.js'

/**
 * A host's `size_limit_exceeded` (an error, or a v1 create warning), attributed to the files
 * it names by sha, else to every file over the limit it states.
 */
export function fileTooLarge(provider: string, files: readonly HashedFile[], report: { sha?: unknown; limit?: unknown; sizeLimit?: unknown }, cause?: unknown): DatapubError {
  const limit = typeof report.sizeLimit === 'number' ? report.sizeLimit : typeof report.limit === 'number' ? report.limit : undefined
  const culprits = files.filter((f) => (typeof report.sha === 'string' ? f.sha === report.sha : limit !== undefined && f.size > limit))
  const names = culprits.map((f) => `${f.file} (${f.size} bytes)`)
  return new DatapubError(
    `${provider.toUpperCase()}_FILE_TOO_LARGE`,
    `The ${provider} plan refuses ${names.length > 0 ? names.join(', ') : 'a file'}${limit === undefined ? '' : `: the per-file limit is ${limit} bytes`}.`,
    {
      fault: 'user',
      provider,
      ...(cause === undefined ? {} : { cause }),
      hint: 'Split the data into smaller databases, drop unused tables, or use a plan or host with a larger file limit.',
      details: { files: culprits.map((f) => ({ file: f.file, bytes: f.size })), ...(limit === undefined ? {} : { limitBytes: limit }) },
    },
  )
}

/** The `size_limit_exceeded` error of a failed create or upload, if that is what it is. */
export function sizeLimitOf(error: unknown): Record<string, unknown> | undefined {
  const api = apiErrorOf(error)
  return api?.code === 'size_limit_exceeded' ? api.error : undefined
}
