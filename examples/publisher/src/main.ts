import { createPublisherServer } from './create-publisher-server.js'
import type { PublisherConfig } from './publisher-config.js'

// `pnpm --filter @datapub/example-publisher start`; PORT and HOST choose where it listens,
// PUBLISHER_MAX_RUNNING and PUBLISHER_MAX_QUEUED how many publishes run at once and may wait.
const limit = (name: string): number | undefined => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < (name === 'PUBLISHER_MAX_QUEUED' ? 0 : 1)) {
    process.stderr.write(`datapub publisher: ${name} must be a whole number${name === 'PUBLISHER_MAX_QUEUED' ? '' : ' of at least 1'}, not "${raw}".\n`)
    process.exit(2)
  }
  return value
}
const overrides: Partial<PublisherConfig> = {}
const maxRunningJobs = limit('PUBLISHER_MAX_RUNNING')
const maxQueuedJobs = limit('PUBLISHER_MAX_QUEUED')
if (maxRunningJobs !== undefined) overrides.maxRunningJobs = maxRunningJobs
if (maxQueuedJobs !== undefined) overrides.maxQueuedJobs = maxQueuedJobs

const app = createPublisherServer(overrides)
const url = await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1')
process.stdout.write(`datapub publisher listening on ${url}\n`)
// Visitors only read that a provider is not set up; the operator reads here what to set.
for (const [name, hint] of Object.entries((await app.providers()).operatorHints)) process.stdout.write(`  ${name} is unavailable: ${hint}\n`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)))
