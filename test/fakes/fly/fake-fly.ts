import { randomBytes } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { freePort } from '../../helpers/registry/free-port.js'
import type { FakeApp, FakeFly, FakeMachine, FakeVolume, MachineConfig } from './fake-fly-types.js'
import { MachineRunner } from './machine-runner.js'
import { platformLogs } from './platform-logs.js'
import { ulid } from './ulid.js'

export type { FakeApp, FakeFly, FakeMachine, FakeVolume } from './fake-fly-types.js'

const LABEL = 'datapub.fake-fly'

/**
 * A stateful Fly.io Machines API (api.machines.dev/v1) on 127.0.0.1 that runs every machine's
 * image on the shared engine, plus the Fly proxy in front of them, so a deploy through it serves
 * real data. It keeps apps, machines, leases, volumes, secrets and IP assignments, and refuses
 * as Fly does: a bad token (401), a name held by another organisation (403 on read, 422 on
 * create), a held lease (409), a volume already attached (422), a wait that times out (408).
 *
 * Where the real platform differs on purpose: machines share the host network, so each gets its
 * own port through PORT (the provider must set PORT to the service's internal_port, or the check
 * fails as it would on Fly); a machine that exits is not restarted; the proxy routes by path,
 * `/apps/<app>/...`, not by host name. Beside it, Fly's platform log endpoint
 * (`/api/v1/apps/<app>/logs`, platform-logs.ts) answers with the machine containers' output.
 */
export async function startFakeFly(options: { token: string; dockerHost: string; prefix: string; orgs?: string[] }): Promise<FakeFly> {
  const runner = new MachineRunner(options.dockerHost)
  const apps = new Map<string, FakeApp>()
  const foreign = new Set<string>()
  const orgs = new Set(options.orgs ?? ['personal'])
  const log: string[] = []
  const pulled = new Set<string>()
  const timers = new Set<NodeJS.Timeout>()
  let failNext: string[] | undefined
  const fakeId = `${options.prefix}-${randomBytes(3).toString('hex')}`

  const hex = (n: number) => randomBytes(n).toString('hex')
  const now = () => new Date().toISOString()

  const machineJson = (m: FakeMachine) => ({
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    instance_id: m.instance_id,
    private_ip: `fdaa:0:1:a7b:${m.id.slice(0, 4)}::2`,
    config: m.config,
    image_ref: imageRef(m.config.image),
    created_at: m.created_at,
    updated_at: m.updated_at,
    events: [...m.events].reverse(),
    checks: m.checkStatus === undefined ? [] : [{ name: 'servicecheck-00-http-8080', status: m.checkStatus, output: m.checkOutput, updated_at: m.updated_at }],
  })

  const event = (m: FakeMachine, type: string, status: string, extra: Record<string, unknown> = {}) => m.events.push({ type, status, source: 'flyd', timestamp: Date.now(), ...extra })

  /** Boots the container for the machine's current config; the check loop decides passing or critical. */
  const boot = async (app: FakeApp, m: FakeMachine) => {
    m.state = 'starting'
    m.checkStatus = undefined
    m.exit = undefined
    const config = m.config
    const internal = config.services?.[0]?.internal_port
    m.hostPort = await freePort()
    const secrets = Object.fromEntries(app.secrets)
    const env = { ...secrets, ...config.env, PORT: String(m.hostPort), FLY_APP_NAME: app.name, FLY_MACHINE_ID: m.id, FLY_REGION: m.region }
    const mounts = (config.mounts ?? []).map((mount) => ({ volume: app.volumes.get(mount.volume)!.docker, path: mount.path }))
    const cmd = failNext ?? config.init?.cmd
    failNext = undefined
    try {
      if (!pulled.has(config.image)) {
        await runner.pull(config.image)
        pulled.add(config.image)
      }
      await runner.remove(m.container)
      await runner.run({ name: m.container, image: config.image, env, mounts, labels: { [LABEL]: fakeId, 'datapub.fake-fly.app': app.name }, ...(cmd === undefined ? {} : { cmd }) })
    } catch (error) {
      m.state = 'failed'
      m.checkOutput = `failed to launch VM: ${(error as Error).message.split('\n')[0]}`
      event(m, 'launch', 'failed')
      return
    }
    m.state = 'started'
    event(m, 'start', 'started')
    // The service's internal_port is where Fly's proxy and checks connect; PORT must say the same.
    const wired = internal !== undefined && config.env?.PORT === String(internal)
    watch(app, m, m.instance_id, wired)
  }

  const watch = (app: FakeApp, m: FakeMachine, instance: string, wired: boolean) => {
    const path = m.config.services?.[0]?.checks?.[0]?.path ?? '/'
    const tick = async () => {
      if (m.instance_id !== instance || !apps.has(app.name) || !app.machines.has(m.id) || m.state !== 'started') return
      const state = await runner.state(m.container)
      if (state !== undefined && !state.running) {
        m.state = 'stopped'
        m.exit = { exit_code: state.exitCode, oom_killed: state.oomKilled }
        m.checkStatus = 'critical'
        m.checkOutput = `machine exited with code ${state.exitCode}`
        event(m, 'exit', 'stopped', { request: { exit_event: { exit_code: state.exitCode, oom_killed: state.oomKilled, requested_stop: false } } })
        return
      }
      if (!wired) {
        m.checkStatus = 'critical'
        m.checkOutput = `dial tcp [${'fdaa::2'}]:${m.config.services?.[0]?.internal_port ?? '?'}: connect: connection refused`
      } else {
        try {
          const response = await fetch(`http://127.0.0.1:${m.hostPort}${path}`, { signal: AbortSignal.timeout(2000), redirect: 'manual' })
          await response.arrayBuffer()
          m.checkStatus = response.status < 400 ? 'passing' : 'critical'
          m.checkOutput = `${response.status} ${response.statusText}`
        } catch (error) {
          // Not listening yet (or any more): Fly reports the check critical until it passes.
          m.checkStatus = 'critical'
          m.checkOutput = `GET ${path}: ${(error as Error).message}`
        }
      }
      const timer = setTimeout(() => {
        timers.delete(timer)
        void tick()
      }, 250)
      timers.add(timer)
    }
    void tick()
  }

  const destroyMachine = async (app: FakeApp, m: FakeMachine) => {
    app.machines.delete(m.id)
    m.state = 'destroyed'
    for (const v of app.volumes.values()) if (v.attached_machine_id === m.id) v.attached_machine_id = null
    await runner.remove(m.container)
  }

  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'fly-request-id': hex(8) })
    res.end(body === undefined ? '' : JSON.stringify(body))
  }

  /** The token as flyctl sends it: `Bearer` for older tokens, `FlyV1` for macaroons; both APIs check it the same way. */
  const authorized = (req: IncomingMessage) => {
    const auth = req.headers.authorization ?? ''
    return auth === `Bearer ${options.token}` || auth === `FlyV1 ${options.token}`
  }

  const api = async (req: IncomingMessage, url: URL, body: unknown): Promise<[number, unknown?]> => {
    if (!authorized(req)) return [401, { error: 'You must be authenticated to view this.' }]
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent)
    const method = req.method ?? 'GET'
    if (parts[0] !== 'apps') return [404, { error: 'Not Found' }]
    const [, appName, kind, id, action] = parts
    if (appName === undefined) {
      if (method === 'GET') {
        const org = url.searchParams.get('org_slug') ?? ''
        if (!orgs.has(org)) return [404, { error: `organization ${org} not found` }]
        const list = [...apps.values()].filter((a) => a.org === org).map((a) => ({ id: a.id, name: a.name, machine_count: a.machines.size, network: 'default' }))
        return [200, { total_apps: list.length, apps: list }]
      }
      if (method === 'POST') {
        // flyctl sends `name` (fly-go CreateAppRequest); the API docs show `app_name`.
        const b = body as { name?: string; app_name?: string; org_slug?: string }
        const name = b.name ?? b.app_name ?? ''
        if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) return [422, { error: `Validation failed: Name "${name}" may only contain lowercase letters, numbers, and dashes` }]
        if (!orgs.has(b.org_slug ?? '')) return [404, { error: `organization ${b.org_slug ?? ''} not found` }]
        if (apps.has(name) || foreign.has(name)) return [422, { error: 'Validation failed: Name has already been taken', status: 'name_taken' }]
        const app: FakeApp = { id: hex(8), name, org: b.org_slug!, machines: new Map(), volumes: new Map(), secrets: new Map(), secretsVersion: 0, ips: [] }
        apps.set(name, app)
        return [201, { id: app.id, name: app.name, status: 'pending', organization: { name: app.org, slug: app.org } }]
      }
      return [405, { error: 'method not allowed' }]
    }
    if (foreign.has(appName)) return [403, { error: 'unauthorized' }]
    const app = apps.get(appName)
    if (app === undefined) return [404, { error: 'app not found' }]
    if (kind === undefined) {
      if (method === 'GET') return [200, { id: app.id, name: app.name, status: app.machines.size > 0 ? 'deployed' : 'pending', organization: { name: app.org, slug: app.org } }]
      if (method === 'DELETE') {
        apps.delete(app.name)
        for (const m of [...app.machines.values()]) await destroyMachine(app, m)
        for (const v of app.volumes.values()) await runner.removeVolume(v.docker)
        return [202]
      }
    }
    if (kind === 'secrets' && id === undefined) {
      if (method === 'GET') return [200, { secrets: [...app.secrets.keys()].sort().map((name) => ({ name, digest: hex(8) })) }]
      if (method === 'POST') {
        const values = (body as { values?: Record<string, string | null> }).values
        if (values === undefined || typeof values !== 'object') return [400, { error: 'values is required' }]
        for (const [k, v] of Object.entries(values)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return [400, { error: `invalid secret name ${k}` }]
          if (v === null) app.secrets.delete(k)
          else app.secrets.set(k, v)
        }
        app.secretsVersion++
        return [200, { secrets: [...app.secrets.keys()].sort().map((name) => ({ name, digest: hex(8) })), version: app.secretsVersion }]
      }
    }
    if (kind === 'ip_assignments' && id === undefined) {
      if (method === 'GET') return [200, { ips: app.ips }]
      if (method === 'POST') {
        const type = (body as { type?: string }).type
        if (type !== 'v6' && type !== 'shared_v4' && type !== 'v4' && type !== 'private_v6') return [400, { error: `invalid ip type ${String(type)}` }]
        if (app.ips.some((ip) => ip.type === type && type === 'shared_v4')) return [422, { error: 'app already has a shared ipv4' }]
        const ip = { ip: type === 'shared_v4' ? '66.241.124.7' : `2a09:8280:1::${hex(2)}`, type, shared: type === 'shared_v4', region: 'global', created_at: now() }
        app.ips.push(ip)
        return [200, { ip: ip.ip, region: ip.region, shared: ip.shared, service_name: '', created_at: ip.created_at }]
      }
    }
    if (kind === 'volumes') {
      if (id === undefined && method === 'GET') return [200, [...app.volumes.values()].map(volumeJson)]
      if (id === undefined && method === 'POST') {
        const b = body as { name?: string; region?: string; size_gb?: number }
        if (!/^[a-z0-9_]{1,30}$/.test(b.name ?? '')) return [400, { error: 'Volume name must consist of lowercase alphanumeric characters and underscores, max 30' }]
        if (!b.region) return [400, { error: 'region is required' }]
        if (!Number.isInteger(b.size_gb) || (b.size_gb ?? 0) < 1 || (b.size_gb ?? 0) > 500) return [400, { error: 'size_gb must be between 1 and 500' }]
        const volume: FakeVolume = { id: `vol_${hex(8)}`, name: b.name!, region: b.region, size_gb: b.size_gb!, state: 'created', attached_machine_id: null, docker: `datapub-fly-${fakeId}-vol-${hex(3)}`, created_at: now() }
        await runner.createVolume(volume.docker)
        app.volumes.set(volume.id, volume)
        return [200, volumeJson(volume)]
      }
    }
    if (kind === 'machines') {
      if (id === undefined && method === 'GET') return [200, [...app.machines.values()].map(machineJson)]
      if (id === undefined && method === 'POST') {
        const b = body as { name?: string; region?: string; config?: MachineConfig; min_secrets_version?: number }
        const invalid = checkConfig(app, b.config, undefined)
        if (invalid !== undefined) return invalid
        if (b.min_secrets_version !== undefined && b.min_secrets_version > app.secretsVersion) return [400, { error: `secrets version ${b.min_secrets_version} not yet available` }]
        const m: FakeMachine = {
          id: hex(7),
          name: b.name ?? `machine-${hex(2)}`,
          region: b.region ?? 'iad',
          state: 'created',
          instance_id: ulid(),
          config: b.config!,
          versions: [],
          events: [],
          checkStatus: undefined,
          checkOutput: '',
          container: '',
          hostPort: 0,
          created_at: now(),
          updated_at: now(),
        }
        m.versions.push(m.instance_id)
        m.container = `datapub-fly-${fakeId}-${m.id}`
        attach(app, m)
        app.machines.set(m.id, m)
        event(m, 'launch', 'created')
        void boot(app, m)
        return [200, machineJson(m)]
      }
      const m = id === undefined ? undefined : app.machines.get(id)
      if (m === undefined) return [404, { error: 'machine not found' }]
      const nonce = req.headers['fly-machine-lease-nonce']
      const leaseHeld = m.lease !== undefined && m.lease.expires > Date.now()
      const leaseRefused = (): [number, unknown] | undefined => (leaseHeld && nonce !== m.lease!.nonce ? [409, { error: `machine ID ${m.id} lease currently held by ${m.lease!.owner}, expires at ${new Date(m.lease!.expires).toISOString()}` }] : undefined)
      if (action === undefined && method === 'GET') return [200, machineJson(m)]
      if (action === 'wait' && method === 'GET') {
        const state = url.searchParams.get('state') ?? 'started'
        const timeout = Number(url.searchParams.get('timeout') ?? '60')
        if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60) return [400, { error: 'timeout must be between 1 and 60 seconds' }]
        const instance = url.searchParams.get('version') ?? url.searchParams.get('instance_id')
        const deadline = Date.now() + timeout * 1000
        while (Date.now() < deadline) {
          if (m.state === state && (instance === null || m.instance_id === instance)) return [200, { ok: true }]
          if (state === 'started' && (m.state === 'stopped' || m.state === 'failed') && (instance === null || m.instance_id === instance)) break
          await new Promise((r) => setTimeout(r, 100))
        }
        return [408, { error: `deadline_exceeded: machine ${m.id} did not reach state ${state} (now ${m.state})` }]
      }
      if (action === 'lease') {
        if (method === 'POST') {
          if (leaseHeld && nonce !== m.lease!.nonce) return leaseRefused()!
          const ttl = Number(url.searchParams.get('ttl') ?? '30')
          m.lease = { nonce: nonce === undefined ? hex(6) : String(nonce), expires: Date.now() + ttl * 1000, owner: 'datapub@example.com' }
          return [200, { status: 'success', data: { nonce: m.lease.nonce, expires_at: Math.floor(m.lease.expires / 1000), owner: m.lease.owner, version: m.instance_id } }]
        }
        if (method === 'DELETE') {
          if (leaseHeld && nonce !== m.lease!.nonce) return leaseRefused()!
          m.lease = undefined
          return [200, { ok: true }]
        }
        if (method === 'GET') return leaseHeld ? [200, { status: 'success', data: { nonce: 'hidden', expires_at: Math.floor(m.lease!.expires / 1000), owner: m.lease!.owner } }] : [404, { error: 'lease not found' }]
      }
      if (action === 'stop' && method === 'POST') {
        const refused = leaseRefused()
        if (refused) return refused
        await runner.stop(m.container)
        m.state = 'stopped'
        event(m, 'stop', 'stopped')
        return [200, { ok: true }]
      }
      if (action === 'start' && method === 'POST') {
        const refused = leaseRefused()
        if (refused) return refused
        const previous = m.state
        await runner.start(m.container).catch(() => undefined)
        m.state = 'started'
        watch(app, m, m.instance_id, m.config.env?.PORT === String(m.config.services?.[0]?.internal_port))
        return [200, { previous_state: previous }]
      }
      if (action === undefined && method === 'POST') {
        const refused = leaseRefused()
        if (refused) return refused
        const b = body as { config?: MachineConfig; region?: string; min_secrets_version?: number }
        const invalid = checkConfig(app, b.config, m.id)
        if (invalid !== undefined) return invalid
        if (b.region !== undefined && b.region !== m.region) return [400, { error: 'region cannot be changed on update' }]
        m.config = b.config!
        m.instance_id = ulid()
        m.versions.push(m.instance_id)
        m.updated_at = now()
        attach(app, m)
        event(m, 'update', 'replacing')
        await runner.remove(m.container)
        void boot(app, m)
        return [200, machineJson(m)]
      }
      if (action === undefined && method === 'DELETE') {
        const refused = leaseRefused()
        if (refused) return refused
        if (m.state === 'started' && url.searchParams.get('kill') !== 'true' && url.searchParams.get('force') !== 'true') return [412, { error: 'unable to destroy machine, not currently stopped (use force)' }]
        await destroyMachine(app, m)
        return [200, { ok: true }]
      }
    }
    return [404, { error: `fake fly has no ${method} ${url.pathname}` }]
  }

  const attach = (app: FakeApp, m: FakeMachine) => {
    for (const v of app.volumes.values()) if (v.attached_machine_id === m.id) v.attached_machine_id = null
    for (const mount of m.config.mounts ?? []) app.volumes.get(mount.volume)!.attached_machine_id = m.id
  }

  const checkConfig = (app: FakeApp, config: MachineConfig | undefined, self: string | undefined): [number, unknown] | undefined => {
    if (config === undefined || typeof config.image !== 'string' || config.image === '') return [400, { error: 'config.image is required' }]
    const guest = config.guest
    if (guest?.memory_mb !== undefined && guest.memory_mb % 256 !== 0) return [400, { error: `invalid memory size ${guest.memory_mb}MB: must be a multiple of 256` }]
    for (const mount of config.mounts ?? []) {
      const volume = app.volumes.get(mount.volume)
      if (volume === undefined) return [404, { error: `volume ${mount.volume} not found` }]
      if (volume.attached_machine_id !== null && volume.attached_machine_id !== self) return [422, { error: `volume ${mount.volume} is already attached to machine ${volume.attached_machine_id}` }]
    }
    return undefined
  }

  /** The Fly proxy: `/apps/<app>/<path>` goes to a started machine with a passing check (auto-stop and auto-start are not simulated). */
  const proxy = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const [, , appName, ...rest] = url.pathname.split('/')
    const app = apps.get(decodeURIComponent(appName ?? ''))
    const healthy = app === undefined ? [] : [...app.machines.values()].filter((m) => m.state === 'started' && m.checkStatus === 'passing')
    const target = healthy[Math.floor(Math.random() * healthy.length)]
    if (target === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end(app === undefined ? 'no such app' : 'no healthy machines to route to')
      return
    }
    const upstream = await fetch(`http://127.0.0.1:${target.hostPort}/${rest.join('/')}${url.search}`, { method: req.method ?? 'GET', redirect: 'manual' })
    const buffer = Buffer.from(await upstream.arrayBuffer())
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream', 'fly-request-id': hex(8), server: 'Fly/fake' })
    res.end(buffer)
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        try {
          if (url.pathname.startsWith('/apps/')) return await proxy(req, res, url)
          if (url.pathname.startsWith('/api/v1/apps/')) {
            const [status, payload] = authorized(req) ? await platformLogs(url, apps, runner) : [401, { errors: [{ detail: 'You must be authenticated to view this.' }] }]
            log.push(`${req.method} /api/v1/apps/:app/logs -> ${status}`)
            return json(res, status, payload)
          }
          if (!url.pathname.startsWith('/v1/')) return json(res, 404, { error: 'Not Found' })
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown = {}
          if (text !== '') {
            try {
              body = JSON.parse(text)
            } catch {
              return json(res, 400, { error: 'invalid JSON body' })
            }
          }
          const [status, payload] = await api(req, url, body)
          log.push(`${req.method} ${url.pathname.replace(/\/machines\/[0-9a-f]{14}/, '/machines/:id').replace(/\/volumes\/vol_[0-9a-f]+/, '/volumes/:id')} -> ${status}`)
          json(res, status, payload)
        } catch (error) {
          json(res, 500, { error: (error as Error).message })
        }
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    appUrl: `http://127.0.0.1:${port}/apps/{app}/`,
    apps,
    log,
    foreign,
    failNextMachine(cmd = ['/bin/sh', '-c', 'echo "Error: no such option: --bogus" >&2; exit 2']) {
      failNext = cmd
    },
    async close() {
      for (const t of timers) clearTimeout(t)
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await runner.sweep(`${LABEL}=${fakeId}`)
      for (const app of apps.values()) for (const v of app.volumes.values()) await runner.removeVolume(v.docker)
      // vfs keeps a full copy per image: drop what the fake pulled.
      for (const image of pulled) await runner.removeImage(image)
    },
  }
}

function volumeJson(v: FakeVolume) {
  return { id: v.id, name: v.name, state: v.state, size_gb: v.size_gb, region: v.region, zone: 'a1b2', encrypted: true, attached_machine_id: v.attached_machine_id, created_at: v.created_at }
}

function imageRef(image: string) {
  const at = image.indexOf('@')
  const base = at === -1 ? image : image.slice(0, at)
  const digest = at === -1 ? '' : image.slice(at + 1)
  const slash = base.indexOf('/')
  const registry = slash === -1 ? 'docker.io' : base.slice(0, slash)
  const rest = slash === -1 ? base : base.slice(slash + 1)
  const colon = rest.lastIndexOf(':')
  return { registry, repository: colon === -1 ? rest : rest.slice(0, colon), tag: colon === -1 ? 'latest' : rest.slice(colon + 1), digest }
}
