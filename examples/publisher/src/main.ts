import { createPublisherServer } from './create-publisher-server.js'
import { limitsFromEnv } from './limits-from-env.js'
import { UploadError } from './upload-error.js'

// `pnpm --filter @datapub/example-publisher start`; PORT and HOST choose where it listens,
// PUBLISHER_MAX_RUNNING and PUBLISHER_MAX_QUEUED how many publishes run at once and may wait.
let limits
try {
  limits = limitsFromEnv(process.env)
} catch (error) {
  if (!(error instanceof UploadError)) throw error
  process.stderr.write(`datapub publisher: ${error.code}: ${error.message}\n  ${error.hint ?? ''}\n`)
  process.exit(2)
}
const app = createPublisherServer(limits)
const url = await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1')
process.stdout.write(`datapub publisher listening on ${url}\n`)
// Visitors only read that a provider is not set up; the operator reads here what to set.
for (const [name, hint] of Object.entries((await app.providers()).operatorHints)) process.stdout.write(`  ${name} is unavailable: ${hint}\n`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)))
