export const HEROKU_NAME_PATTERN = '^[a-z][a-z0-9-]{1,28}[a-z0-9]$'

/** A web dyno must bind $PORT within this long or Heroku kills it with R10. */
export const BOOT_TIMEOUT_MS = 60_000

export const HEROKU_LIMITS = {
  namePattern: { value: HEROKU_NAME_PATTERN, source: 'Platform API app schema name pattern; 30 characters max (heroku-go v6 schema.json; devcenter limits)' },
  requestTimeoutMs: { value: 30_000, source: 'Heroku router: 30 s to the first response byte, error H12 (devcenter request-timeout)' },
  manifestFormats: { value: ['docker-v2' as const], source: 'Heroku Container Registry accepts Docker Image Manifest V2 Schema 2 only, no OCI (devcenter container-registry-and-runtime)' },
  platform: { value: 'linux/amd64', source: 'Heroku dynos run linux/amd64 images (devcenter container-registry-and-runtime)' },
}
