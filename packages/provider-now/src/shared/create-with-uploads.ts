import { DatapubError } from '@datapub/core/kit'
import type { HashedFile } from './hash-files.js'
import { missingFilesOf } from './missing-files-of.js'
import { planUploads } from './plan-uploads.js'

/**
 * The create protocol both APIs share: create; on `missing_files` upload exactly those and
 * send the identical create again. Bounded, so a host that keeps asking cannot loop us.
 */
export async function createWithUploads<T>(
  provider: string,
  files: readonly HashedFile[],
  create: () => Promise<T>,
  upload: (files: HashedFile[]) => Promise<void>,
  rounds = 3,
): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await create()
    } catch (error) {
      const missing = missingFilesOf(error)
      if (missing === undefined) throw error
      if (round >= rounds) {
        throw new DatapubError(`${provider.toUpperCase()}_UPLOAD_INCOMPLETE`, `The ${provider} API still reports ${missing.length} missing files after ${rounds - 1} uploads.`, {
          fault: 'host',
          provider,
          cause: error,
          hint: 'Retry the publish; uploads are content-addressed, so finished ones are not sent again.',
        })
      }
      await upload(planUploads(files, missing, provider))
    }
  }
}
