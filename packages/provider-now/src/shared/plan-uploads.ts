import { DatapubError } from '@datapub/core/kit'
import type { HashedFile } from './hash-files.js'

/**
 * The files to send for the shas the API reported missing: one per sha (identical contents are
 * stored once), in the API's order. A sha we never offered is a protocol error, not a retry.
 */
export function planUploads(files: readonly HashedFile[], missing: readonly string[], provider: string): HashedFile[] {
  const bySha = new Map<string, HashedFile>()
  for (const f of files) if (!bySha.has(f.sha)) bySha.set(f.sha, f)
  const plan: HashedFile[] = []
  const seen = new Set<string>()
  for (const sha of missing) {
    if (seen.has(sha)) continue
    seen.add(sha)
    const file = bySha.get(sha)
    if (file === undefined) {
      throw new DatapubError(`${provider.toUpperCase()}_UPLOAD_PROTOCOL`, `The ${provider} API asked for a file we did not offer (sha ${sha.slice(0, 12)}).`, {
        fault: 'host',
        provider,
        hint: 'Retry the publish; if it persists, the API changed its upload protocol.',
      })
    }
    plan.push(file)
  }
  return plan
}
