import { createPublisherServer } from './create-publisher-server.js'

// `pnpm --filter @datapub/example-publisher start`; PORT and HOST choose where it listens.
const app = createPublisherServer()
const url = await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1')
process.stdout.write(`datapub publisher listening on ${url}\n`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)))
