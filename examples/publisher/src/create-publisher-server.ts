import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createContainer, ProviderRegistry } from '@datapub/core'
import { DEFAULT_LIMITS, type PublisherConfig } from './publisher-config.js'
import { JobStore, type JobFrame } from './job-store.js'
import { listProviders, type ProviderListing } from './list-providers.js'
import { PublishSlots } from './publish-slots.js'
import { parsePublishForm } from './parse-publish-form.js'
import { receiveUpload } from './receive-upload.js'
import { runJob } from './run-job.js'
import { secretScrubber } from './secret-scrubber.js'
import { staticAssets } from './static-assets.js'
import { UploadError } from './upload-error.js'

export interface PublisherServer {
  server: Server
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:PORT/`). */
  listen(port?: number, host?: string): Promise<string>
  /** Cancels running and queued publishes, waits until each has ended and removed its folder, and stops the server. */
  close(): Promise<void>
  /** What the server holds right now, for health checks and tests. */
  stats(): PublisherStats
  /** The provider list with, for the operator's log, what each unavailable provider lacks. */
  providers(): Promise<ProviderListing>
}

export interface PublisherStats {
  /** Uploads being received. */
  uploading: number
  queued: number
  running: number
  /** The most publishes that ever ran at once. */
  peakRunning: number
  /** Jobs still in memory, finished ones included until they expire. */
  jobs: number
  /** Jobs that have ended (deployed, failed or cancelled) since the server started. */
  ended: number
  /** Event streams open. */
  streams: number
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}
const JOB_ROUTE = /^\/api\/jobs\/([A-Za-z0-9_-]{32})(\/events)?$/

/** The publisher app: the page, the provider list, uploads that start publishes, and their live events. */
export function createPublisherServer(overrides: Partial<PublisherConfig> = {}): PublisherServer {
  const env = overrides.env ?? process.env
  const config: PublisherConfig = {
    ...DEFAULT_LIMITS,
    tmpDir: tmpdir(),
    publishDefaults: {},
    ...overrides,
    env,
    // Providers import from this package's dependencies, so an app can pin its own provider versions.
    registry: overrides.registry ?? new ProviderRegistry({ importModule: (specifier) => import(specifier) }),
  }
  const container = createContainer({ Env: env, ProviderRegistry: config.registry })
  const scrubber = secretScrubber(env)
  const jobs = new JobStore(config.jobTtlMs)
  const slots = new PublishSlots(config.maxRunningJobs)
  const envNames = Object.keys(env)
  const assets = staticAssets()
  // Uploads in progress plus queued and running publishes: the admission count.
  let admitted = 0
  let uploading = 0
  let ended = 0
  let streams = 0
  // Every job's run, so close() can wait until each has removed its folder.
  const runs = new Set<Promise<void>>()
  let providers: { at: number; list: Promise<ProviderListing> } | undefined
  const providerList = () => {
    if (providers === undefined || Date.now() - providers.at > 15_000) providers = { at: Date.now(), list: listProviders(config.registry, env) }
    return providers.list
  }

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    res.end(scrubber.scrub(JSON.stringify(body)))
  }
  const refuse = (res: ServerResponse, error: UploadError) => {
    if (!res.headersSent) res.setHeader('connection', 'close')
    json(res, error.status, { error: error.toJSON() })
  }

  async function startPublish(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin
    if (origin !== undefined && origin !== 'null' && new URL(origin).host !== req.headers.host) {
      return refuse(res, new UploadError(403, 'ORIGIN_REFUSED', 'Publishing is only allowed from this server\'s own page.'))
    }
    if (origin === 'null') return refuse(res, new UploadError(403, 'ORIGIN_REFUSED', 'Publishing is only allowed from this server\'s own page.'))
    if (admitted >= config.maxRunningJobs + config.maxQueuedJobs) {
      res.setHeader('retry-after', '60')
      return refuse(res, new UploadError(429, 'TOO_MANY_PUBLISHES', 'The server is busy with other publishes and its queue is full.', 'Try again in a few minutes.'))
    }
    admitted++
    let started = false
    // Each request gets its own folder: two users uploading data.csv never meet.
    const dir = await mkdtemp(path.join(config.tmpDir, 'datapub-publisher-')).catch((error: unknown) => {
      admitted--
      throw error
    })
    try {
      uploading++
      const upload = await receiveUpload(req, dir, config).finally(() => uploading--)
      const form = parsePublishForm(upload.fields)
      const provider = (await providerList()).providers.find((p) => p.name === form.provider)
      if (provider === undefined) throw new UploadError(400, 'PROVIDER_UNKNOWN', `No provider "${form.provider}" is installed here.`, 'Choose one of the listed providers.', 'provider')
      if (!provider.available) throw new UploadError(400, 'PROVIDER_UNAVAILABLE', `${provider.title} is not available: ${provider.reason ?? 'no credentials'}`, 'Choose an available provider.', 'provider')
      const job = jobs.create()
      // A fresh deployment name per publish: users cannot overwrite each other's deployments.
      const options = { ...form.options, name: `pub-${randomBytes(5).toString('hex')}`, ...config.publishDefaults }
      started = true
      const run = runJob(jobs, job, { provider: form.provider, files: upload.files, dir, options, providerOptions: form.providerOptions, container, envNames }, scrubber, slots).finally(() => {
        admitted--
        ended++
        runs.delete(run)
      })
      runs.add(run)
      json(res, 202, { id: job.id, events: `/api/jobs/${job.id}/events` })
    } catch (error) {
      if (!started) admitted--
      await rm(dir, { recursive: true, force: true }).catch(() => undefined)
      if (error instanceof UploadError) return refuse(res, error)
      throw error
    }
  }

  function streamEvents(req: IncomingMessage, res: ServerResponse, id: string): void {
    const job = jobs.get(id)
    if (job === undefined) return json(res, 404, { error: { code: 'JOB_NOT_FOUND', message: 'No such publish (it may have expired).' } })
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
    const write = (frame: JobFrame) => {
      res.write(`id: ${frame.id}\nevent: ${frame.event}\ndata: ${frame.data}\n\n`)
      if (frame.event === 'end') res.end()
    }
    const after = Number(req.headers['last-event-id'] ?? 0) || 0
    for (const frame of job.frames) if (frame.id > after) write(frame)
    if (job.finished) return void res.end()
    job.listeners.add(write)
    streams++
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), Math.min(15_000, config.idleTimeoutMs / 2))
    // A visitor who closes the page stops listening; the publish goes on and ends on its own.
    res.on('close', () => (streams--, clearInterval(keepAlive), job.listeners.delete(write)))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://publisher.invalid')
    const asset = assets.get(url.pathname)
    if (asset !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' })
      return void res.end(req.method === 'HEAD' ? undefined : asset.body)
    }
    if (url.pathname === '/api/providers' && req.method === 'GET') return json(res, 200, { providers: (await providerList()).providers, limits: { maxFileBytes: config.maxFileBytes, maxTotalBytes: config.maxTotalBytes, maxFiles: config.maxFiles } })
    if (url.pathname === '/api/publish' && req.method === 'POST') return startPublish(req, res)
    const match = JOB_ROUTE.exec(url.pathname)
    if (match?.[1] !== undefined && match[2] !== undefined && req.method === 'GET') return streamEvents(req, res, match[1])
    if (match?.[1] !== undefined && match[2] === undefined && req.method === 'DELETE') {
      const job = jobs.get(match[1])
      if (job === undefined) return json(res, 404, { error: { code: 'JOB_NOT_FOUND', message: 'No such publish.' } })
      job.controller.abort()
      return json(res, 202, { cancelled: !job.finished })
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found.' } })
  }

  // Slow clients: a connection must send its request head within the idle time (checked every
  // quarter of it); Node's own whole-request limit backs up receiveUpload's deadline, which
  // answers first with a coded 408.
  const serverOptions = {
    headersTimeout: config.idleTimeoutMs,
    requestTimeout: config.uploadTimeoutMs + 5_000,
    connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(config.idleTimeoutMs / 4))),
  }
  const server = createServer(serverOptions, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('publisher: request failed', error)
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'The server failed; the log says why.' } })
      else res.end()
    })
  })
  return {
    server,
    stats: () => ({ uploading, queued: slots.queued, running: slots.running, peakRunning: slots.peakRunning, jobs: jobs.size, ended, streams }),
    providers: providerList,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo
          resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`)
        })
      }),
    close: async () => {
      jobs.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      // Cancelled publishes end on their own (a build stops within seconds) and remove their folders.
      await Promise.allSettled([...runs])
      await closed
    },
  }
}
