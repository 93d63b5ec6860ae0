import type { Nock, NockScope } from '../../../test/helpers/http-mock.js'

export const MACHINES_API = 'https://api.machines.dev'
/** Fly's platform API, where flyctl reads app logs (fly-go api_logs.go). */
export const PLATFORM_API = 'https://api.fly.io'
export const SENTINEL_TOKEN = 'sentinel-fly-token-4c1d9e'
export const DIGEST = `sha256:${'d'.repeat(64)}`
export const OLD_DIGEST = `sha256:${'a'.repeat(64)}`
export const imageOf = (app: string, digest = DIGEST) => `registry.fly.io/${app}@${digest}`

/** A Machines API scope that insists on the Authorization header flyctl sends for this token. */
export function machinesApi(n: Nock, token = SENTINEL_TOKEN): NockScope {
  return n(MACHINES_API, { reqheaders: { authorization: token.startsWith('fm2_') ? `FlyV1 ${token}` : `Bearer ${token}` } })
}

/** The platform API scope, with the same Authorization header. */
export function platformApi(n: Nock, token = SENTINEL_TOKEN): NockScope {
  return n(PLATFORM_API, { reqheaders: { authorization: token.startsWith('fm2_') ? `FlyV1 ${token}` : `Bearer ${token}` } })
}

/** GET /api/v1/apps/{app}/logs as fly-go's GetAppLogs reads it: `data[].attributes`, `meta.next_token`. */
export function logsJson(entries: Array<{ timestamp: string; message: string; instance: string }>): Record<string, unknown> {
  return { data: entries.map((e, i) => ({ id: `log${i}`, attributes: { ...e, level: 'info', region: 'ams', meta: {} } })), meta: { next_token: 'tok1' } }
}

export function appJson(name: string, org = 'personal'): Record<string, unknown> {
  return { id: `id-${name}`, name, status: 'deployed', organization: { name: 'Personal', slug: org } }
}

export interface MachineFixture {
  id: string
  state?: string
  instance?: string
  image?: string
  checks?: Array<{ status: string; output?: string }>
  metadata?: Record<string, string>
  mounts?: Array<{ volume: string; path: string }>
  events?: unknown[]
}

/** A machine as GET /v1/apps/{app}/machines/{id} answers (fly-go machine_types.go Machine). */
export function machineJson(app: string, m: MachineFixture): Record<string, unknown> {
  return {
    id: m.id,
    name: `${app}-${m.id.slice(0, 4)}`,
    state: m.state ?? 'started',
    region: 'ams',
    instance_id: m.instance ?? `01J${m.id.toUpperCase()}`,
    private_ip: 'fdaa:0:1:a7b::2',
    config: {
      image: m.image ?? imageOf(app),
      env: { PORT: '8001' },
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
      services: [{ protocol: 'tcp', internal_port: 8001, autostop: 'stop', autostart: true, min_machines_running: 0, ports: [{ port: 80, handlers: ['http'], force_https: true }, { port: 443, handlers: ['tls', 'http'] }], checks: [{ type: 'http', method: 'GET', path: '/', interval: '10s', timeout: '5s', grace_period: '10s' }] }],
      metadata: { fly_process_group: 'app', fly_platform_version: 'v2', managed_by: 'datapub', ...m.metadata },
      ...(m.mounts === undefined ? {} : { mounts: m.mounts }),
    },
    image_ref: { registry: 'registry.fly.io', repository: app, tag: '', digest: DIGEST },
    created_at: '2026-12-02T10:00:00Z',
    updated_at: '2026-12-02T10:00:05Z',
    events: m.events ?? [{ type: 'start', status: 'started', source: 'flyd', timestamp: 1 }],
    checks: (m.checks ?? [{ status: 'passing', output: '200 OK' }]).map((c) => ({ name: 'servicecheck-00-http-8001', ...c })),
  }
}
