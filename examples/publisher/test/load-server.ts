// The publisher as its own process for the load test, so the memory figure is the server's
// alone: a fake provider behind a gate, the limits from the environment, and a message
// channel for the test to read stats and open or close the gate.
import { ProviderRegistry } from '@datapub/core'
import { createPublisherServer } from '../src/create-publisher-server.js'
import { fakeProvider } from './fake-provider.js'

export interface LoadServerStats {
  uploading: number
  queued: number
  running: number
  peakRunning: number
  jobs: number
  ended: number
  streams: number
  /** Resident set size now, bytes. */
  rss: number
  /** Peak resident set size of this process so far, bytes. */
  maxRss: number
  /** V8 heap in use and memory held by Buffers, bytes (after full collections when `gc` was asked). */
  heapUsed: number
  external: number
  /** Deploys waiting at the fake provider's gate, the most at once, and finished. */
  fakeWaiting: number
  fakePeak: number
  fakeDeployed: number
}

const number = (name: string): number => Number(process.env[name])
const fake = fakeProvider({ open: true })
const app = createPublisherServer({
  env: { DOCKER_HOST: 'unix:///nonexistent/no-engine.sock', HOME: process.env.LOAD_TMP, PATH: process.env.PATH },
  registry: new ProviderRegistry().register(fake.provider),
  tmpDir: process.env.LOAD_TMP!,
  maxRunningJobs: number('LOAD_MAX_RUNNING'),
  maxQueuedJobs: number('LOAD_MAX_QUEUED'),
  maxFileBytes: number('LOAD_MAX_FILE_BYTES'),
  maxTotalBytes: number('LOAD_MAX_TOTAL_BYTES'),
  maxFiles: 3,
  idleTimeoutMs: number('LOAD_IDLE_MS'),
  uploadTimeoutMs: number('LOAD_UPLOAD_MS'),
  publishDefaults: { verify: false },
})
const url = await app.listen()
const gc = (globalThis as { gc?: () => void }).gc
process.on('message', async (message: { type: string }) => {
  if (message.type === 'open') fake.probe.open()
  if (message.type === 'close') fake.probe.close()
  // Three times, with pauses: Buffers freed by one collection leave the external count only once
  // their backing stores are swept, which happens in the background.
  if (message.type === 'gc') for (let i = 0; i < 3; i++) (gc?.(), await new Promise((resolve) => setTimeout(resolve, 100)))
  const memory = process.memoryUsage()
  const stats: LoadServerStats = {
    ...app.stats(),
    heapUsed: memory.heapUsed,
    external: memory.external,
    rss: memory.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    fakeWaiting: fake.probe.waiting(),
    fakePeak: fake.probe.peak(),
    fakeDeployed: fake.probe.deployed(),
  }
  process.send?.({ type: 'stats', stats })
})
process.send?.({ type: 'ready', url })
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
