import { relay, startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-server.js'
import { runPushedImage, type RunningImage } from './run-pushed-image.js'

/** Google's refusal when domain-restricted sharing (iam.allowedPolicyMemberDomains) blocks allUsers. */
export const NOT_PERMITTED_CUSTOMER = 'One or more users named in the policy do not belong to a permitted customer, perhaps due to an organization policy.'

type Json = Record<string, unknown>

interface Revision {
  name: string
  image: string
  env: Record<string, string>
  createTime: string
}

interface ServiceState {
  id: string
  service: Json
  generation: number
  revisions: Revision[]
  policy: { version: number; etag: string; bindings: Array<{ role: string; members: string[] }> }
  running?: { revision: string; container: RunningImage; up: boolean }
}

interface Operation {
  name: string
  service: string
  polls: number
  kind: 'update' | 'delete'
}

export interface FakeCloudrunOptions {
  dockerHost?: string
  prefix: string
  /** Organisation policy: setIamPolicy with allUsers is refused (domain-restricted sharing). */
  blockAllUsers?: boolean
  /** Organisation policy run.managed.requireInvokerIam: invokerIamDisabled is refused too. */
  requireInvokerIam?: boolean
  /** The first N reads of each operation answer 429 with this Retry-After (seconds). */
  throttleOperationPolls?: { count: number; retryAfter: number }
}

export interface FakeCloudrun {
  server: FakeServer
  url: string
  services: Map<string, ServiceState>
  /** Every updateService as the host saw it: field mask and the service's top-level keys. */
  updates: Array<{ name: string; mask: string | null; etag: unknown; allowMissing: boolean }>
  routes(): Record<string, string>
  /** A field a user set in the console, outside datapub. */
  setConsoleField(id: string, mutate: (service: Json) => void): void
  close(): Promise<void>
}

const googleError = (status: number, name: string, message: string, retryAfter?: number): FakeReply => ({
  status,
  // Google names its wait in a RetryInfo detail (google.rpc.RetryInfo) and, on 429, in Retry-After.
  json: { error: { code: status, message, status: name, details: retryAfter === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }] } },
  ...(retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } }),
})

/**
 * A stateful Cloud Run Admin API v2 (REST, as the client library's fallback mode speaks it) on
 * 127.0.0.1: services with etags and generations, revisions, traffic, long-running operations,
 * IAM policies and organisation policy refusals. updateService without a field mask replaces the
 * whole service as Cloud Run does; with a mask only the named fields. The serving revision's
 * image is pulled from the registry and run on the local engine.
 */
export async function startFakeCloudrun(options: FakeCloudrunOptions): Promise<FakeCloudrun> {
  const services = new Map<string, ServiceState>()
  const operations = new Map<string, Operation>()
  const updates: FakeCloudrun['updates'] = []
  let opCount = 0
  const host = (id: string) => `${id}-fk3q7a-uc.a.run.app`

  const view = (s: ServiceState): Json => {
    const latest = s.revisions.at(-1)
    const traffic = (s.service.traffic as Array<{ type?: string; revision?: string; percent?: number }> | undefined) ?? [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]
    const serving = servingOf(s)
    return {
      ...s.service,
      uid: `uid-${s.id}`,
      generation: String(s.generation),
      observedGeneration: String(s.generation),
      createTime: '2026-01-02T03:04:05Z',
      terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: new Date().toISOString() },
      latestReadyRevision: latest === undefined ? '' : `${s.service.name}/revisions/${latest.name}`,
      latestCreatedRevision: latest === undefined ? '' : `${s.service.name}/revisions/${latest.name}`,
      traffic,
      trafficStatuses: serving === undefined ? [] : [{ type: traffic[0]?.type ?? 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, revision: serving }],
      uri: `https://${host(s.id)}`,
      urls: [`https://${host(s.id)}`],
      reconciling: false,
      etag: `"etag-${s.generation}"`,
    }
  }

  const servingOf = (s: ServiceState): string | undefined => {
    const traffic = (s.service.traffic as Array<{ type?: string; revision?: string }> | undefined) ?? []
    const pinned = traffic.find((t) => t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' && t.revision)?.revision
    return pinned ?? s.revisions.at(-1)?.name
  }

  const reconcile = async (s: ServiceState): Promise<void> => {
    const serving = s.revisions.find((r) => r.name === servingOf(s))
    if (serving === undefined || s.running?.revision === serving.name) return
    await s.running?.container.stop()
    if (options.dockerHost === undefined) {
      s.running = { revision: serving.name, container: { url: '', name: '', healthy: Promise.resolve(true), stop: async () => undefined }, up: true }
      return
    }
    const container = await runPushedImage(serving.image, `${options.prefix}-${s.id}-${serving.name}`, serving.env, options.dockerHost)
    const running = { revision: serving.name, container, up: false }
    s.running = running
    void container.healthy.then((ok) => (running.up = ok))
  }

  // The client library sends enums as numbers ($alt=json;enum-encoding=int); Cloud Run stores the value.
  const INGRESS = ['INGRESS_TRAFFIC_UNSPECIFIED', 'INGRESS_TRAFFIC_ALL', 'INGRESS_TRAFFIC_INTERNAL_ONLY', 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER', 'INGRESS_TRAFFIC_NONE']
  const TRAFFIC = ['TRAFFIC_TARGET_ALLOCATION_TYPE_UNSPECIFIED', 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION']
  const normalise = (service: Json): void => {
    if (typeof service.ingress === 'number') service.ingress = INGRESS[service.ingress]
    if (service.ingress === 'INGRESS_TRAFFIC_UNSPECIFIED') delete service.ingress
    if (Array.isArray(service.traffic)) service.traffic = (service.traffic as Array<{ type?: unknown }>).map((t) => (typeof t.type === 'number' ? { ...t, type: TRAFFIC[t.type] } : t))
  }

  // Proto3 semantics: a default value ('', 0, false, {}, []) is the same as an absent field, and
  // key order means nothing. A template that differs only so is not a change (no new revision).
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical)
    if (typeof value !== 'object' || value === null) return value
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Json)[key])
      const empty = v === '' || v === 0 || v === '0' || v === false || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
      if (!empty) out[key] = v
    }
    return out
  }
  const templateKey = (service: Json) => JSON.stringify(canonical(service.template ?? {}))

  const update = async (request: FakeRequest, name: string): Promise<FakeReply> => {
    const body = request.body as Json
    const id = name.split('/').pop()!
    const existing = services.get(name)
    const mask = request.query.get('updateMask')
    const allowMissing = request.query.get('allowMissing') === 'true'
    updates.push({ name, mask, etag: body.etag, allowMissing })
    if (existing === undefined && !allowMissing) return googleError(404, 'NOT_FOUND', `Resource '${id}' of kind 'SERVICE' in region 'us-central1' in project 'p' does not exist.`)
    if (existing !== undefined && body.etag !== undefined && body.etag !== `"etag-${existing.generation}"`) return googleError(409, 'ABORTED', `Resource '${id}' has changed since it was read (etag ${String(body.etag)}).`)
    const state: ServiceState = existing ?? { id, service: {}, generation: 0, revisions: [], policy: { version: 1, etag: 'BwYA', bindings: [] } }
    const before = templateKey(state.service)
    const incoming = { ...body }
    delete incoming.etag
    if (mask !== null && existing !== undefined) {
      for (const path of mask.split(',')) {
        const key = path.trim().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
        if (key in incoming) state.service[key] = incoming[key]
        else delete state.service[key]
      }
    } else {
      // No mask: the request is the whole service; whatever it leaves out is cleared.
      state.service = incoming
    }
    // The client library sends service.name in the URL, not the body.
    state.service.name = name
    normalise(state.service)
    state.generation++
    if (templateKey(state.service) !== before || state.revisions.length === 0) {
      const container = ((state.service.template as Json | undefined)?.containers as Array<{ image?: string; env?: Array<{ name: string; value?: string }> }> | undefined)?.[0]
      const revision = `${id}-${String(state.revisions.length + 1).padStart(5, '0')}-fkq`
      state.revisions.push({ name: revision, image: container?.image ?? '', env: Object.fromEntries((container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])), createTime: new Date(Date.now() + state.revisions.length).toISOString() })
    }
    services.set(name, state)
    return startOperation(name, 'update')
  }

  const startOperation = (service: string, kind: Operation['kind']): FakeReply => {
    const parent = service.split('/services/')[0]!
    const op: Operation = { name: `${parent}/operations/op-${++opCount}`, service, polls: 0, kind }
    operations.set(op.name, op)
    return { status: 200, json: { name: op.name, metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: service }, done: false } }
  }

  const readOperation = async (name: string): Promise<FakeReply> => {
    const op = operations.get(name)
    if (op === undefined) return googleError(404, 'NOT_FOUND', `Operation ${name} not found.`)
    op.polls++
    const throttle = options.throttleOperationPolls
    if (throttle !== undefined && op.polls <= throttle.count) return googleError(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per region'.", throttle.retryAfter)
    const s = services.get(op.service)
    if (op.kind === 'delete') return { status: 200, json: { name, done: true, response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: op.service } } }
    if (s === undefined) return { status: 200, json: { name, done: true, error: { code: 5, message: 'service gone' } } }
    await reconcile(s)
    // Like Cloud Run, the operation ends once the serving revision is ready to take requests.
    if (s.running !== undefined && !s.running.up) {
      await Promise.race([s.running.container.healthy, new Promise((resolve) => setTimeout(resolve, 1000))])
      if (!s.running.up) return { status: 200, json: { name, done: false, metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: op.service } } }
    }
    return { status: 200, json: { name, done: true, metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', name: op.service }, response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...view(s) } } }
  }

  const isPublic = (s: ServiceState) => s.service.invokerIamDisabled === true || s.policy.bindings.some((b) => b.role === 'roles/run.invoker' && b.members.includes('allUsers'))

  const handle = async (request: FakeRequest): Promise<FakeReply> => {
    const { method, path } = request
    if (path.startsWith('/__host/')) {
      const hostname = path.split('/')[2] ?? ''
      const s = [...services.values()].find((x) => host(x.id) === hostname)
      if (s === undefined) return { status: 404, text: 'Not Found' }
      if (!isPublic(s)) return { status: 403, text: '<html><title>403 Forbidden</title>Your client does not have permission to get URL from this server.</html>' }
      if (s.running === undefined || !s.running.up) return { status: 503, text: 'Service Unavailable' }
      if (s.running.container.url === '') return { status: 200, json: [] }
      return relay(s.running.container.url, request, path.slice(`/__host/${hostname}`.length) || '/')
    }
    if (request.headers.authorization === undefined || !String(request.headers.authorization).startsWith('Bearer ')) return googleError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.')
    const m = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+)(.*)$/.exec(path)
    if (m === null) return googleError(404, 'NOT_FOUND', `No route ${path}`)
    const [, parent, rest] = m as unknown as [string, string, string]
    if (rest.startsWith('/operations/')) return readOperation(`${parent}${rest}`)
    if (rest === '/services' && method === 'GET') return { status: 200, json: { services: [...services.values()].filter((s) => String(s.service.name).startsWith(parent)).map(view) } }
    const iam = /^\/services\/([^/:]+):(getIamPolicy|setIamPolicy)$/.exec(rest)
    if (iam !== null) {
      const s = services.get(`${parent}/services/${iam[1]}`)
      if (s === undefined) return googleError(404, 'NOT_FOUND', `Service ${iam[1]} not found.`)
      if (iam[2] === 'getIamPolicy') return { status: 200, json: s.policy }
      const policy = (request.body as { policy: ServiceState['policy'] }).policy
      if (policy.etag !== undefined && policy.etag !== s.policy.etag) return googleError(409, 'ABORTED', 'There were concurrent policy changes.')
      if (options.blockAllUsers && policy.bindings.some((b) => b.members.includes('allUsers'))) return googleError(400, 'FAILED_PRECONDITION', NOT_PERMITTED_CUSTOMER)
      s.policy = { version: policy.version ?? 1, bindings: policy.bindings, etag: `BwYB${s.generation}${Math.random().toString(36).slice(2, 6)}` }
      return { status: 200, json: s.policy }
    }
    const rev = /^\/services\/([^/]+)\/revisions$/.exec(rest)
    if (rev !== null && method === 'GET') {
      const s = services.get(`${parent}/services/${rev[1]}`)
      return { status: 200, json: { revisions: (s?.revisions ?? []).map((r) => ({ name: `${parent}/services/${s!.id}/revisions/${r.name}`, createTime: r.createTime, conditions: [{ type: 'Ready', state: 'CONDITION_SUCCEEDED' }], containers: [{ image: r.image }] })) } }
    }
    const svc = /^\/services\/([^/:]+)$/.exec(rest)
    if (svc !== null) {
      const name = `${parent}/services/${svc[1]}`
      const s = services.get(name)
      if (method === 'PATCH') {
        if ((request.body as Json).invokerIamDisabled === true && options.requireInvokerIam) return googleError(400, 'FAILED_PRECONDITION', "Violation in CreateServiceRequest.service.invoker_iam_disabled: organization policy constraint 'run.managed.requireInvokerIam' requires IAM invoker checks.")
        return update(request, name)
      }
      if (s === undefined) return googleError(404, 'NOT_FOUND', `Resource '${svc[1]}' of kind 'SERVICE' does not exist.`)
      if (method === 'GET') return { status: 200, json: view(s) }
      if (method === 'DELETE') {
        await s.running?.container.stop()
        services.delete(name)
        return startOperation(name, 'delete')
      }
    }
    return googleError(404, 'NOT_FOUND', `fake cloud run has no ${method} ${path}`)
  }

  const server = await startFakeServer(handle)
  return {
    server,
    url: server.url,
    services,
    updates,
    routes: () => Object.fromEntries([...services.values()].map((s) => [host(s.id), server.url])),
    setConsoleField(id, mutate) {
      const s = [...services.values()].find((x) => x.id === id)
      if (s === undefined) throw new Error(`no service ${id}`)
      mutate(s.service)
      s.generation++
    },
    async close() {
      for (const s of services.values()) await s.running?.container.stop()
      await server.close()
    },
  }
}
