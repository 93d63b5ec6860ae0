export const HEROKU_NAME_PATTERN = '^[a-z][a-z0-9-]{1,28}[a-z0-9]$'

const MB = 1024 * 1024

/** Compressed slug caps: 500 MB for years, 1 GB since March 2026 (reference/host-apis.md 3, Limits). */
export const SLUG_LIMIT_BYTES = { '500mb': 500 * MB, '1gb': 1024 * MB } as const

/** A web dyno must bind $PORT within this long or Heroku kills it with R10. */
export const BOOT_TIMEOUT_MS = 60_000

export const HEROKU_LIMITS = {
  namePattern: { value: HEROKU_NAME_PATTERN, source: 'Platform API app schema name pattern; 30 characters max (heroku-go v6 schema.json; devcenter limits)' },
  bundleBytes: { value: SLUG_LIMIT_BYTES['500mb'], source: 'Heroku slug limit, 500 MB compressed by default; 1 GB selectable with --slug-limit 1gb since March 2026 (heroku.com blog "bigger slugs")' },
  requestTimeoutMs: { value: 30_000, source: 'Heroku router: 30 s to the first response byte, error H12 (devcenter request-timeout)' },
  manifestFormats: { value: ['docker-v2' as const], source: 'Heroku Container Registry accepts Docker Image Manifest V2 Schema 2 only, no OCI (devcenter container-registry-and-runtime)' },
  platform: { value: 'linux/amd64', source: 'Heroku dynos run linux/amd64 images (devcenter container-registry-and-runtime)' },
}
