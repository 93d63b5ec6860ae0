import { checkHerokuRequest, checkHerokuResource } from '../oracles/heroku-contract.js'
import { relay, startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-server.js'
import { findByConfigDigest, runPushedImage, type RunningImage } from './run-pushed-image.js'

/** Heroku's refusal of a formation update naming the image already running (heroku/cli issues 1965, 1167). */
export const ALREADY_RUNNING = 'The process type web was not updated, because it is already running the specified docker image.'

interface Release {
  id: string
  version: number
  status: 'pending' | 'succeeded' | 'failed'
  description: string
  current: boolean
  eligible_for_rollback: boolean
  output_stream_url: string | null
  created_at: string
  image?: string
  polls: number
}

interface AppState {
  name: string
  stack: string
  buildStack: string
  region: string
  config: Record<string, string>
  releases: Release[]
  web: { quantity: number; size: string; image?: string }
  running?: { image: string; container: RunningImage; up: boolean }
}

export interface FakeHerokuOptions {
  apiKey: string
  /** The registry the pushed images are in (host:port, plain http). */
  registry?: string
  /** Run released images on this engine; without it dynos are reported up without serving. */
  dockerHost?: string
  /** Container name prefix, unique to the test run. */
  prefix: string
  /** How a PATCH of build_stack is answered: applied (Heroku), or refused with 422. */
  stackSwitch?: 'applies' | 'refused'
  /** Release phase output lines for every image release (a release command in the image). */
  releasePhase?: string[]
}

export interface FakeHeroku {
  server: FakeServer
  url: string
  apps: Map<string, AppState>
  /** Requests and answers Heroku's schema refuses; a test asserts this stays empty. */
  violations: string[]
  /** Host names of the apps' web URLs mapped to this fake's relay (for routeFetch). */
  routes(): Record<string, string>
  seedApp(name: string, state: { stack?: string; quantity?: number }): void
  close(): Promise<void>
}

const now = () => new Date().toISOString()

/**
 * A stateful Heroku Platform API on 127.0.0.1: apps, stacks, config vars, formation, releases
 * (release phase included), dynos and rollback, with Heroku's own refusals. Every request is
 * checked against the Platform API schema and refused with 422 when the schema refuses it, every
 * answer against @heroku-cli/schema. Released images are pulled from the registry and run on the
 * local engine; the app's web URL serves what the container serves.
 */
export async function startFakeHeroku(options: FakeHerokuOptions): Promise<FakeHeroku> {
  const apps = new Map<string, AppState>()
  const violations: string[] = []
  const auth = `Basic ${Buffer.from(`:${options.apiKey}`).toString('base64')}`
  let base = ''
  const host = (name: string) => `${name}-fa4e.herokuapp.com`
  const appJson = (s: AppState) => ({
    id: `01234567-89ab-cdef-0123-${Buffer.from(s.name).toString('hex').padEnd(12, '0').slice(0, 12)}`,
    name: s.name,
    web_url: `https://${host(s.name)}/`,
    stack: { id: `stack-${s.stack}`, name: s.stack },
    build_stack: { id: `stack-${s.buildStack}`, name: s.buildStack },
    region: { id: 'region-1', name: s.region },
    team: null,
    created_at: '2026-01-02T03:04:05Z',
    released_at: s.releases.at(-1)?.created_at ?? null,
    maintenance: false,
  })
  const releaseJson = (r: Release) => ({ id: r.id, version: r.version, status: r.status, description: r.description, current: r.current, eligible_for_rollback: r.eligible_for_rollback, output_stream_url: r.output_stream_url, created_at: r.created_at })
  const answer = (status: number, json: unknown, resource?: Parameters<typeof checkHerokuResource>[0], headers?: Record<string, string>): FakeReply => {
    if (resource !== undefined) for (const item of Array.isArray(json) ? json : [json]) violations.push(...checkHerokuResource(resource, item).map((v) => `answer: ${v}`))
    return { status, json, ...(headers === undefined ? {} : { headers }) }
  }
  const notFound = (): FakeReply => ({ status: 404, json: { id: 'not_found', message: "Couldn't find that app." } })

  const newApp = (name: string, stack = 'container', quantity = 1): AppState => ({ name, stack, buildStack: stack, region: 'us', config: {}, releases: [], web: { quantity, size: 'Basic' } })

  const addRelease = (s: AppState, description: string, image: string | undefined): Release => {
    for (const r of s.releases) r.current = false
    const version = (s.releases.at(-1)?.version ?? 0) + 1
    const id = `rel-${s.name}-${version}`
    const release: Release = {
      id,
      version,
      status: image === undefined ? 'succeeded' : 'pending',
      description,
      current: true,
      eligible_for_rollback: true,
      output_stream_url: image !== undefined && options.releasePhase !== undefined ? `${base}/streams/release/${id}` : null,
      created_at: now(),
      ...(image === undefined ? {} : { image }),
      polls: 0,
    }
    s.releases.push(release)
    return release
  }

  // A pending image release succeeds on its first read after the release phase; the web dynos then
  // run the image (when any are scaled up), as on Heroku.
  const settle = async (s: AppState, release: Release): Promise<void> => {
    if (release.status !== 'pending') return
    release.polls++
    if (release.polls < 2) return
    release.status = 'succeeded'
    s.web.image = release.image
    await reconcile(s)
  }

  const reconcile = async (s: AppState): Promise<void> => {
    if (s.web.quantity === 0 || s.web.image === undefined) {
      await s.running?.container.stop()
      s.running = undefined
      return
    }
    if (s.running?.image === s.web.image) return
    await s.running?.container.stop()
    s.running = undefined
    if (options.dockerHost === undefined || options.registry === undefined) {
      s.running = { image: s.web.image, container: { url: '', name: '', healthy: Promise.resolve(true), stop: async () => undefined }, up: true }
      return
    }
    const manifest = await findByConfigDigest(options.registry, `${s.name}/web`, s.web.image)
    if (manifest === undefined) throw new Error(`no image with config ${s.web.image} in ${options.registry}/${s.name}/web`)
    const container = await runPushedImage(`${options.registry}/${s.name}/web@${manifest}`, `${options.prefix}-${s.name}-v${s.releases.length}`, s.config, options.dockerHost)
    const running = { image: s.web.image, container, up: false }
    s.running = running
    void container.healthy.then((ok) => (running.up = ok))
  }

  const dynos = (s: AppState) => {
    // Every release restarts the dynos, so they run on the newest release that succeeded.
    const current = [...s.releases].reverse().find((r) => r.status === 'succeeded')
    if (s.running === undefined) return []
    return Array.from({ length: s.web.quantity }, (_, i) => ({
      id: `dyno-${i + 1}`,
      name: `web.${i + 1}`,
      type: 'web',
      state: s.running!.up ? 'up' : 'starting',
      size: s.web.size,
      command: '',
      release: { id: current?.id ?? '', version: current?.version ?? 0 },
      updated_at: now(),
    }))
  }

  const formationJson = (s: AppState) => [{ id: `formation-${s.name}-web`, type: 'web', quantity: s.web.quantity, size: s.web.size, command: '', docker_image: s.web.image === undefined ? null : { id: s.web.image }, updated_at: now() }]

  const handle = async (request: FakeRequest): Promise<FakeReply> => {
    const { method, path } = request
    if (path.startsWith('/__host/')) {
      const hostname = path.split('/')[2] ?? ''
      const s = [...apps.values()].find((a) => host(a.name) === hostname)
      if (s === undefined) return { status: 404, text: 'There is nothing here, yet.' }
      if (s.running === undefined || !s.running.up) return { status: 503, text: 'Application Error (H14: no web dynos running)' }
      if (s.running.container.url === '') return { status: 200, json: [] }
      return relay(s.running.container.url, request, path.slice(`/__host/${hostname}`.length) || '/')
    }
    if (path.startsWith('/streams/release/')) return { status: 200, lines: options.releasePhase ?? [] }
    if (request.headers.authorization !== auth) return { status: 401, json: { id: 'unauthorized', message: 'Invalid credentials provided.' } }
    const refused = checkHerokuRequest({ method, path, headers: request.headers as Record<string, string>, body: request.body })
    if (refused.length > 0) {
      violations.push(...refused)
      return { status: 422, json: { id: 'invalid_params', message: refused.join('; ') } }
    }
    if (method === 'GET' && path === '/account') return answer(200, { id: 'acc-1', email: 'me@example.com' }, 'Account')
    if (method === 'GET' && path === '/apps') return answer(200, [...apps.values()].map(appJson), 'App')
    if (method === 'POST' && (path === '/apps' || path === '/teams/apps')) {
      const body = request.body as { name: string; stack?: string }
      if (apps.has(body.name)) return { status: 422, json: { id: 'invalid_params', message: `Name ${body.name} is already taken` } }
      const s = newApp(body.name, body.stack ?? 'heroku-24')
      apps.set(s.name, s)
      addRelease(s, 'Initial release', undefined)
      return answer(201, appJson(s), 'App')
    }
    const [, , rawName, sub, id] = path.split('/')
    const s = apps.get(decodeURIComponent(rawName ?? ''))
    if (s === undefined) return notFound()
    if (sub === undefined) {
      if (method === 'GET') return answer(200, appJson(s), 'App')
      if (method === 'DELETE') {
        await s.running?.container.stop()
        apps.delete(s.name)
        return answer(200, appJson(s), 'App')
      }
      if (method === 'PATCH') {
        const body = request.body as { build_stack?: string }
        if (body.build_stack !== undefined) {
          if (options.stackSwitch === 'refused') return { status: 422, json: { id: 'invalid_params', message: `Stack ${body.build_stack} is not available for this app.` } }
          // Heroku: the build stack changes now, the running stack at the next release.
          s.buildStack = body.build_stack
        }
        return answer(200, appJson(s), 'App')
      }
    }
    if (sub === 'config-vars') {
      if (method === 'PATCH') {
        const changed = Object.entries(request.body as Record<string, string | null>).filter(([k, v]) => (v === null ? k in s.config : s.config[k] !== v))
        for (const [k, v] of changed) v === null ? delete s.config[k] : (s.config[k] = v)
        // Unconfirmed: a PATCH that changes no value is taken to make no release.
        if (changed.length > 0) addRelease(s, `Set ${changed.map(([k]) => k).join(', ')} config vars`, undefined)
      }
      return answer(200, s.config, 'ConfigVars')
    }
    if (sub === 'formation' && method === 'GET') return answer(200, formationJson(s), 'Formation')
    if (sub === 'formation' && method === 'PATCH') {
      const updates = (request.body as { updates: Array<{ type: string; docker_image?: string; quantity?: number; size?: string }> }).updates
      for (const update of updates) {
        if (update.type !== 'web') return { status: 422, json: { id: 'invalid_params', message: `No such process type ${update.type} defined in Procfile.` } }
        if (update.docker_image !== undefined) {
          if (s.stack !== 'container' && s.buildStack !== 'container') return { status: 422, json: { id: 'invalid_params', message: 'App stack is not container.' } }
          if (update.docker_image === s.web.image && update.quantity === undefined && update.size === undefined) return { status: 422, json: { id: 'invalid_params', message: ALREADY_RUNNING } }
        }
      }
      for (const update of updates) {
        if (update.quantity !== undefined) s.web.quantity = update.quantity
        if (update.size !== undefined) s.web.size = update.size
        if (update.docker_image !== undefined && update.docker_image !== s.web.image) {
          s.stack = 'container'
          addRelease(s, `Deployed web (${update.docker_image.slice(7, 19)})`, update.docker_image)
        }
      }
      await reconcile(s)
      return answer(200, formationJson(s), 'Formation')
    }
    if (sub === 'releases' && method === 'GET' && id === undefined) {
      const range = String(request.headers.range ?? '')
      const max = Number(/max=(\d+)/.exec(range)?.[1] ?? 200)
      const desc = /order=desc/.test(range)
      const ordered = desc ? [...s.releases].reverse() : [...s.releases]
      return answer(206, ordered.slice(0, max).map(releaseJson), 'Release')
    }
    if (sub === 'releases' && method === 'GET') {
      const release = s.releases.find((r) => r.id === id)
      if (release === undefined) return { status: 404, json: { id: 'not_found', message: "Couldn't find that release." } }
      await settle(s, release)
      return answer(200, releaseJson(release), 'Release')
    }
    if (sub === 'releases' && method === 'POST') {
      const target = s.releases.find((r) => r.id === (request.body as { release: string }).release)
      if (target === undefined || target.status !== 'succeeded') return { status: 422, json: { id: 'invalid_params', message: 'Release is not eligible for rollback.' } }
      const image = [...s.releases].reverse().find((r) => r.version <= target.version && r.image !== undefined)?.image
      const release = addRelease(s, `Rollback to v${target.version}`, undefined)
      if (image !== undefined) s.web.image = image
      await reconcile(s)
      return answer(201, releaseJson(release), 'Release')
    }
    if (sub === 'dynos' && method === 'GET') {
      for (const r of s.releases) if (r.status === 'pending' && r.polls >= 1) await settle(s, r)
      return answer(200, dynos(s), 'Dyno')
    }
    return { status: 404, json: { id: 'not_found', message: `fake heroku has no ${method} ${path}` } }
  }

  const server = await startFakeServer(handle)
  base = server.url
  return {
    server,
    url: server.url,
    apps,
    violations,
    routes: () => Object.fromEntries([...apps.keys()].map((name) => [host(name), server.url])),
    seedApp(name, state) {
      const s = newApp(name, state.stack ?? 'container', state.quantity ?? 1)
      apps.set(name, s)
      addRelease(s, 'Initial release', undefined)
    },
    async close() {
      for (const s of apps.values()) await s.running?.container.stop()
      await server.close()
    },
  }
}
