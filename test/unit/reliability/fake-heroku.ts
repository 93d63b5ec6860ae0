import type { Nock } from '../../helpers/http-mock.js'
import type { FaultKind, FaultSchedule } from '../../helpers/fault-schedule.js'

export const HEROKU = 'https://api.heroku.com'
const KINDS_WITHOUT_RESETS: FaultKind[] = ['status-429', 'status-500', 'status-502', 'status-503', 'slow']

interface AppState {
  app: Record<string, unknown>
  config: Record<string, string>
  releases: Array<{ id: string; version: number; status: string }>
  image?: string
}

export interface FakeHeroku {
  apps: Map<string, AppState>
  /** Every request as `METHOD /path -> outcome`, in order. */
  log: string[]
  /** POSTs sent again to one resource after an answer that left the client unsure whether the first was processed. */
  blindRepeats: string[]
  /**
   * Replaces the schedule (undefined: no faults). `resetWrites: false` keeps connection resets
   * to GETs: heroku-client resends any request after a reset (see host-faults.test.ts).
   */
  useSchedule(schedule: FaultSchedule | undefined, options?: { resetWrites: boolean }): void
}

const ROUTES: Array<[RegExp, string]> = [
  [/^\/apps\/[^/]+\/releases\/[^/]+$/, '/apps/:name/releases/:id'],
  [/^\/apps\/[^/]+\/(config-vars|releases|formation|dynos)$/, '/apps/:name/$1'],
  [/^\/apps\/[^/]+$/, '/apps/:name'],
]
const stepOf = (method: string, path: string) => `${method} ${ROUTES.reduce((p, [re, to]) => (re.test(p) ? p.replace(re, to) : p), path)}`

/**
 * A small stateful Heroku Platform API on nock: apps, config vars, releases, formation, dynos.
 * Each request first asks the fault schedule: a status fault answers without processing; a reset
 * before processing drops the connection; a reset after processing applies the change and then
 * drops the answer, the case where a blind retry of a POST would create twice.
 */
export function startFakeHeroku(n: Nock): FakeHeroku {
  const apps = new Map<string, AppState>()
  const log: string[] = []
  const blindRepeats: string[] = []
  const unsure = new Set<string>()
  let schedule: FaultSchedule | undefined
  let resetWrites = true

  const handle = (method: string, path: string, body: unknown): [number, unknown] => {
    const name = decodeURIComponent(path.split('/')[2] ?? '')
    const state = apps.get(name)
    const missing: [number, unknown] = [404, { id: 'not_found', message: "Couldn't find that app." }]
    if (method === 'GET' && path === '/account') return [200, { id: 'acc-1', email: 'me@example.com' }]
    if (method === 'POST' && path === '/apps') {
      const wanted = (body as { name: string }).name
      if (apps.has(wanted)) return [422, { id: 'invalid_params', message: `Name ${wanted} is already taken` }]
      const app = { id: `id-${wanted}`, name: wanted, web_url: `https://${wanted}-1a2b3c.herokuapp.com/`, stack: { name: 'container' }, build_stack: { name: 'container' } }
      apps.set(wanted, { app, config: {}, releases: [{ id: 'rel-1', version: 1, status: 'succeeded' }] })
      return [201, app]
    }
    if (path.startsWith('/apps/') && state === undefined) return missing
    const s = state!
    const sub = path.split('/').slice(3).join('/')
    if (method === 'GET' && sub === '') return [200, s.app]
    if (method === 'DELETE' && sub === '') return apps.delete(name), [200, s.app]
    if (method === 'PATCH' && sub === 'config-vars') {
      for (const [k, v] of Object.entries(body as Record<string, string | null>)) v === null ? delete s.config[k] : (s.config[k] = v)
      return [200, s.config]
    }
    if (method === 'GET' && sub === 'config-vars') return [200, s.config]
    if (method === 'GET' && sub === 'releases') return [206, s.releases.slice(-1)]
    if (method === 'GET' && sub.startsWith('releases/')) return [200, s.releases.find((r) => r.id === sub.slice(9)) ?? missing[1]]
    if (method === 'PATCH' && sub === 'formation') {
      const update = (body as { updates: Array<{ docker_image: string }> }).updates[0]!
      s.image = update.docker_image
      const version = s.releases.length + 1
      s.releases.push({ id: `rel-${version}`, version, status: 'succeeded' })
      return [200, [{ type: 'web', quantity: 1, size: 'Basic', docker_image: s.image }]]
    }
    if (method === 'GET' && sub === 'formation') return [200, [{ type: 'web', quantity: 1, size: 'Basic', docker_image: s.image }]]
    if (method === 'GET' && sub === 'dynos') return [200, [{ name: 'web.1', type: 'web', state: 'up', release: { id: `rel-${s.releases.length}`, version: s.releases.length } }]]
    return [404, { id: 'not_found', message: `fake heroku has no ${method} ${path}` }]
  }

  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
    n(HEROKU)
      .persist()
      .intercept(() => true, method)
      .reply(function (uri, body, callback) {
        const path = uri.split('?')[0]!
        const step = stepOf(method, path)
        const parsed = typeof body === 'string' && body !== '' ? (JSON.parse(body) as unknown) : body
        const resource = method === 'POST' ? `${path} ${(parsed as { name?: string })?.name ?? ''}` : ''
        if (resource !== '' && unsure.has(resource)) blindRepeats.push(`${step} (${resource})`)
        const fault = schedule?.next(step, method === 'GET' || resetWrites ? undefined : KINDS_WITHOUT_RESETS)
        const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          log.push(`${step} -> ${status}`)
          if (resource !== '' && status !== 429 && (status >= 500 || status < 300)) unsure.add(resource)
          callback(null, [status, JSON.stringify(payload), { 'content-type': 'application/json', ...headers }])
        }
        const reset = () => {
          log.push(`${step} -> reset`)
          if (resource !== '') unsure.add(resource)
          callback(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), [0, ''])
        }
        if (fault?.kind.startsWith('status-')) {
          const status = Number(fault.kind.slice(7))
          return answer(status, { id: status === 429 ? 'rate_limit' : 'internal_server_error', message: 'injected fault' }, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) })
        }
        if (fault?.kind === 'reset-before') return reset()
        const work = () => {
          const [status, payload] = handle(method, path, parsed)
          if (fault?.kind === 'reset-after') return reset()
          // A POST that was answered with a definite 4xx was not processed: sending it again is not blind.
          answer(status, payload)
          if (resource !== '' && status >= 400 && status < 500) unsure.delete(resource)
        }
        if (fault?.kind === 'slow') setTimeout(work, fault.delayMs)
        else work()
      })
  }
  return {
    apps,
    log,
    blindRepeats,
    useSchedule(next, options) {
      schedule = next
      resetWrites = options?.resetWrites ?? true
      unsure.clear()
    },
  }
}
