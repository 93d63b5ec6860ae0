import type { PublisherConfig } from './publisher-config.js'
import { UploadError } from './upload-error.js'

const SETTINGS = {
  PUBLISHER_MAX_RUNNING: { key: 'maxRunningJobs', min: 1 },
  PUBLISHER_MAX_QUEUED: { key: 'maxQueuedJobs', min: 0 },
} as const

/**
 * The limits an operator sets in the environment (`PUBLISHER_MAX_RUNNING`, `PUBLISHER_MAX_QUEUED`).
 * A value that is not a whole number in range is refused with `CONFIG_INVALID` naming the
 * variable, never rounded or ignored.
 */
export function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<PublisherConfig> {
  const out: Partial<PublisherConfig> = {}
  for (const [name, { key, min }] of Object.entries(SETTINGS)) {
    const raw = env[name]
    if (raw === undefined || raw.trim() === '') continue
    const value = Number(raw)
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      throw new UploadError(500, 'CONFIG_INVALID', `${name} must be a whole number of at least ${min}, not "${raw.slice(0, 40)}".`, `Set ${name} to a number such as ${key === 'maxRunningJobs' ? 4 : 50}, or leave it unset.`)
    }
    out[key] = value
  }
  return out
}
