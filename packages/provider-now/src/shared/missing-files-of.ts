import { apiErrorOf } from './api-error-of.js'

/** The shas of a `missing_files` answer (400), which is a protocol step, not a failure. */
export function missingFilesOf(error: unknown): string[] | undefined {
  const api = apiErrorOf(error)
  if (api?.code !== 'missing_files') return undefined
  const missing = api.error.missing
  return Array.isArray(missing) ? missing.filter((sha): sha is string => typeof sha === 'string') : []
}
