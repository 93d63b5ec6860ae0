import type { ProviderRegistry } from '@datapub/core'

/** Everything the server needs, with limits a deployer may tune. Secrets are read from `env` only. */
export interface PublisherConfig {
  /** The server's environment: host credentials, DOCKER_HOST, image defaults. Never sent to a browser. */
  env: Readonly<Record<string, string | undefined>>
  /** Largest single uploaded file, bytes. */
  maxFileBytes: number
  /** Largest upload in total, bytes. */
  maxTotalBytes: number
  /** Most files in one upload. */
  maxFiles: number
  /** Most publishes running at once; the next ones wait in a queue, in arrival order. */
  maxRunningJobs: number
  /** Most publishes waiting for a slot (uploads in progress count too); beyond that, 429. */
  maxQueuedJobs: number
  /** An upload must be received completely within this many milliseconds, or it is cut off (408). */
  uploadTimeoutMs: number
  /** An upload (or a connection that has not sent its request) silent this long is cut off, milliseconds. */
  idleTimeoutMs: number
  /** How long a finished job's events stay replayable, milliseconds. */
  jobTtlMs: number
  /** Parent of each job's private temporary folder. */
  tmpDir: string
  /** Provider lookup; tests register fakes on it. */
  registry: ProviderRegistry
  /** Common options the server always sets (e.g. `{ verify: false }` in tests); the browser cannot override them. */
  publishDefaults: Record<string, unknown>
}

export const DEFAULT_LIMITS = {
  maxFileBytes: 10 * 1024 * 1024,
  maxTotalBytes: 25 * 1024 * 1024,
  maxFiles: 10,
  maxRunningJobs: 4,
  maxQueuedJobs: 50,
  uploadTimeoutMs: 5 * 60 * 1000,
  idleTimeoutMs: 30 * 1000,
  jobTtlMs: 15 * 60 * 1000,
} as const
