import { createReadStream } from 'node:fs'
import { mapBounded, withRetry, type Emit, type KitHttpClient } from '@datapub/core/kit'
import { apiErrorOf } from './api-error-of.js'
import type { HashedFile } from './hash-files.js'

/** What the CLIs did: at most 50 uploads in flight (now-cli 11, @vercel/client). */
export const MAX_UPLOADS_IN_FLIGHT = 50

export interface UploadOptions {
  /** `/v2/now/files` (Now v1) or `/v2/files` (Vercel). */
  path: string
  /** `x-now-digest` (Now v1) or `x-vercel-digest` (Vercel). */
  digestHeader: 'x-now-digest' | 'x-vercel-digest'
  emit: Emit
  signal: AbortSignal
  attempts?: number
}

/**
 * Streams each file's bytes with its digest and size headers. Content-addressed, so repeating
 * an upload is safe: 5xx and network failures are retried here with a fresh stream (core's
 * retry would resend a consumed stream).
 */
export async function uploadFiles(http: KitHttpClient, files: readonly HashedFile[], options: UploadOptions): Promise<void> {
  const total = files.reduce((sum, f) => sum + f.size, 0)
  let sent = 0
  options.emit({ type: 'progress', label: 'upload', done: 0, total, unit: 'bytes' })
  await mapBounded(
    files,
    MAX_UPLOADS_IN_FLIGHT,
    async (file) => {
      await withRetry(
        () =>
          http.request({
            method: 'POST',
            path: options.path,
            body: createReadStream(file.absolute),
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.size), [options.digestHeader]: file.sha, 'x-now-size': String(file.size) },
            signal: options.signal,
          }),
        {
          retries: (options.attempts ?? 3) - 1,
          minDelayMs: 100,
          maxDelayMs: 2000,
          signal: options.signal,
          retryable: (error) => {
            const status = apiErrorOf(error)?.status
            return apiErrorOf(error) !== undefined && (status === undefined || status >= 500)
          },
        },
      )
      sent += file.size
      options.emit({ type: 'progress', label: 'upload', done: sent, total, unit: 'bytes' })
    },
    options.signal,
  )
}
