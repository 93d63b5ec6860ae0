import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createContainer, publish, Tokens, verifyDeployment, type PublishOutcome, type ServiceOverrides } from '@datapub/core'
import { recordEvents, type RecordedRun } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { routeFetch } from '../../fakes/route-fetch.js'

export const SECRET = 'sentinel-fidelity-datasette-secret-71c'

export interface HostFixture {
  work: string
  services: ServiceOverrides
  dockerHost: string
  registry: string
  publishRows(provider: string, name: string, rows: string, providerOptions: Record<string, unknown>, extra?: Record<string, unknown>): Promise<RecordedRun<PublishOutcome>>
}

/**
 * The pipeline with the real engine, registry and verify stage; the verify stage's requests for
 * a fake host's deployment URLs are routed to that fake (routes), which serves them from the
 * image it runs.
 */
export async function hostFixture(routes: () => Record<string, string>, env: Record<string, string> = {}): Promise<HostFixture> {
  const engine = engineEnv()
  if (engine.registry === undefined) throw new Error('DATAPUB_REGISTRY is not set: the engine tier needs the local registry.')
  const work = await mkdtemp(path.join(tmpdir(), 'datapub-fidelity-'))
  // The defaults of the composition root, with only the routing below replaced.
  const defaults = createContainer({})
  const pipeline = defaults.resolve(Tokens.Pipeline)
  const createHttpClient = defaults.resolve(Tokens.HttpClientFactory)
  const fetchRouted = routeFetch(routes)
  const services: ServiceOverrides = {
    Env: { DOCKER_HOST: engine.dockerHost, DATAPUB_BASE_IMAGE: engine.baseImage, DATAPUB_RUNTIME_IMAGE: engine.runtimeImage, DATAPUB_PIP_FIND_LINKS: engine.wheels, ...env },
    Pipeline: { ...pipeline, verifyDeployment: (url, databases, options) => verifyDeployment(url, databases, { ...options, intervalMs: 250, fetch: fetchRouted }) },
    // A provider's own requests to its deployment URLs (access probes) take the same route.
    HttpClientFactory: (options) => {
      const url = new URL(options.baseURL)
      const base = routes()[url.hostname]
      return createHttpClient(base === undefined ? options : { ...options, baseURL: `${base}/__host/${url.hostname}${url.pathname === '/' ? '' : url.pathname}` })
    },
  }
  return {
    work,
    services,
    dockerHost: engine.dockerHost,
    registry: engine.registry,
    async publishRows(provider, name, rows, providerOptions, extra = {}) {
      const file = path.join(work, 'birds.csv')
      await writeFile(file, `id,name,wingspan_cm\n${rows}`)
      return recordEvents(publish({ provider, files: [file], options: { name, title: 'Birds', secret: SECRET, verifyTimeout: 90, ...extra }, providerOptions, cwd: work, container: createContainer(services) }))
    },
  }
}

export async function rowsAt(fetchRouted: typeof fetch, url: string): Promise<string[]> {
  const response = await fetchRouted(new URL('data/birds.json?_shape=array', url))
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`)
  return ((await response.json()) as Array<{ name: string }>).map((r) => r.name)
}
