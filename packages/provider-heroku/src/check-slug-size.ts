import { DatapubError } from '@datapub/core/kit'
import { SLUG_LIMIT_BYTES } from './limits.js'
import type { HerokuOptions } from './options.js'

/** Checked before upload: a tarball over the cap would only fail after minutes of building. */
export function checkSlugSize(bytes: number, slugLimit: HerokuOptions['slugLimit']): void {
  const limit = SLUG_LIMIT_BYTES[slugLimit]
  if (bytes <= limit) return
  throw new DatapubError('HEROKU_SLUG_TOO_LARGE', `The source tarball is ${mb(bytes)}, over Heroku's ${mb(limit)} slug cap.`, {
    fault: 'user',
    provider: 'heroku',
    path: 'slugLimit',
    hint:
      slugLimit === '500mb'
        ? 'Pass --slug-limit 1gb (Heroku allows 1 GB since March 2026), or use the container path, which has no slug cap.'
        : 'Use the container path (a Docker engine builds, Heroku runs the image): images have no slug cap, only the boot timeout.',
    details: { bytes, limit },
  })
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
