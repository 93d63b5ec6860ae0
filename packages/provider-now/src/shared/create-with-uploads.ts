import { DatapubError, type Emit, type HttpRequest, type KitHttpClient } from '@datapub/core/kit'
import type { HashedFile } from './hash-files.js'
import { missingFilesOf } from './missing-files-of.js'
import { planUploads } from './plan-uploads.js'
import { uploadFiles, type UploadOptions } from './upload-files.js'
import { withRateLimit } from './with-rate-limit.js'

export interface CreateWithUploadsOptions {
  provider: 'now' | 'vercel'
  http: KitHttpClient
  files: readonly HashedFile[]
  /** The create call (POST with the file list); sent again, identical, after each upload round. */
  create: Omit<HttpRequest, 'signal'>
  upload: Pick<UploadOptions, 'path' | 'digestHeader'>
  emit: Emit
  signal: AbortSignal
  /** The longest rate-limit reset worth waiting for. */
  maxRateLimitWaitMs: number
  rounds?: number
}

/**
 * The create protocol both APIs share: create (waiting out a rate limit the host names a reset
 * for); on `missing_files` upload exactly those and send the identical create again. Bounded,
 * so a host that keeps asking cannot loop us.
 */
export async function createWithUploads<T>(options: CreateWithUploadsOptions): Promise<T> {
  const { provider, http, files, emit, signal } = options
  const rounds = options.rounds ?? 3
  const rate = { emit, signal, maxWaitMs: options.maxRateLimitWaitMs }
  for (let round = 1; ; round++) {
    try {
      return await withRateLimit(async () => (await http.request<T>({ ...options.create, signal })).body, rate)
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
      await uploadFiles(http, planUploads(files, missing, provider), { ...options.upload, emit, signal })
    }
  }
}
