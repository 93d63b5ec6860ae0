import type { Fault } from '../contract/serialized-error.js'

/**
 * Every stable error code datapub raises, with the side at fault. Codes are public API: callers
 * branch on them, so a code is never renamed, only added. Providers add their own, prefixed with
 * their name (HEROKU_..., CLOUDRUN_...), through `DatapubError` directly.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'user',
  INPUT_NOT_FOUND: 'user',
  INPUT_UNSUPPORTED: 'user',
  INPUT_UNSAFE: 'user',
  METADATA_INVALID: 'user',
  CSV_INVALID: 'user',
  CSV_ENCODING: 'user',
  SQLITE_INVALID: 'user',
  PROVIDER_NOT_FOUND: 'user',
  PROVIDER_INVALID: 'internal',
  PROVIDER_DUPLICATE: 'user',
  PROVIDER_API_VERSION: 'user',
  PROVIDER_OPERATION_UNSUPPORTED: 'user',
  /** No credentials for a host; every provider raises this one code, `details.provider` says which. */
  AUTH_MISSING: 'user',
  AUTH_INVALID: 'user',
  ENGINE_UNREACHABLE: 'host',
  IMAGE_BUILD_FAILED: 'user',
  IMAGE_OVER_BUDGET: 'user',
  IMAGE_NOT_FOUND: 'user',
  REGISTRY_AUTH_FAILED: 'user',
  REGISTRY_ERROR: 'host',
  /** The registry served bytes that do not match their digest, or a manifest naming a blob it does not have. */
  REGISTRY_CORRUPT: 'host',
  HTTP_ERROR: 'host',
  HTTP_TIMEOUT: 'host',
  /** A poll (waitUntil) passed its deadline before the host finished. */
  WAIT_TIMEOUT: 'host',
  DEPLOY_FAILED: 'host',
  DEPLOYMENT_NOT_FOUND: 'user',
  DEPLOY_UNHEALTHY: 'user',
  /** A newer publish of the same name replaced this one before it was verified. */
  DEPLOY_SUPERSEDED: 'user',
  VERIFY_FAILED: 'host',
  ABORTED: 'user',
  /** The file system holding a path datapub writes (work folder, output, --generate-dir, journal) is full. */
  DISK_FULL: 'user',
  /** A destructive command on a host ran where nobody can confirm it, without --yes. */
  CONFIRMATION_REQUIRED: 'user',
  INTERNAL: 'internal',
} as const satisfies Record<string, Fault>

export type { Fault }
export type CoreErrorCode = keyof typeof ERROR_CODES
/** Core codes plus any provider code (SCREAMING_SNAKE, provider-prefixed). */
export type ErrorCode = CoreErrorCode | (string & {})
