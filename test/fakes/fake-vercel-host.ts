import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checkVercelRequest } from '../oracles/vercel-contract.js'
import { startFakeServer, type FakeReply, type FakeRequest, type FakeServer } from './fake-server.js'

/** What api.vercel.com answers a Now 1.0 (Docker) create since 2019 (vercel/vercel issues 1805, 1843, 2120). */
export const NOW_V1_REFUSAL = 'You tried to create a Now 1.0 deployment. Please use Now 2.0 instead: https://zeit.co/upgrade'

const requireFromCore = createRequire(new URL('../../packages/core/package.json', import.meta.url))
const Database = requireFromCore('better-sqlite3') as new (file: string, options: { readonly: boolean }) => { prepare(sql: string): { all(): unknown[] }; close(): void }

interface Deployment {
  id: string
  name: string
  projectId: string
  url: string
  target: 'production' | null
  createdAt: number
  polls: number
  readyState: string
  files: Map<string, string>
  meta: Record<string, string>
  type?: 'LAMBDAS' | 'DOCKER'
  deleted?: boolean
}

export interface FakeVercelOptions {
  token: string
  /** Deployment Protection: standard (previews and deployment URLs need login) or none. */
  protection?: 'standard' | 'none'
  bypassSecret?: string
  /** Page size of GET /v7/deployments (Vercel's default is 20). */
  pageSize?: number
}

export interface FakeVercel {
  server: FakeServer
  url: string
  deployments: Map<string, Deployment>
  projects: Map<string, { id: string; name: string; env: Record<string, string>; production?: string }>
  aliases: Map<string, string>
  /** Requests Vercel's SDK models refuse; a test asserts this stays empty. */
  violations: string[]
  routes(): Record<string, string>
  /** A deployment made before datapub looked (older publishes, another tool, Now 1.0 history). */
  seedDeployment(d: { name: string; project?: string; target?: 'production' | null; createdAt: number; type?: 'DOCKER' | 'LAMBDAS'; alias?: string }): string
  close(): Promise<void>
}

/**
 * A stateful Vercel REST API on 127.0.0.1: projects and their env, content-addressed file uploads,
 * deployments that build over a few polls, production aliases, paginated listing, rollback,
 * Deployment Protection and the Now 1.0 refusal. Every request is checked against the request
 * models of @vercel/sdk and refused with 400 when they refuse it. A READY deployment serves the
 * uploaded databases (their hashes and rows, read with SQLite), so verify checks the data sent.
 */
export async function startFakeVercel(options: FakeVercelOptions): Promise<FakeVercel> {
  const blobs = new Map<string, Buffer>()
  const deployments = new Map<string, Deployment>()
  const projects: FakeVercel['projects'] = new Map()
  const aliases = new Map<string, string>()
  const violations: string[] = []
  const dbDir = mkdtempSync(path.join(tmpdir(), 'fake-vercel-'))
  let seq = 0
  const protection = options.protection ?? 'standard'

  const json = (d: Deployment) => ({
    id: d.id,
    uid: d.id,
    name: d.name,
    url: d.url,
    projectId: d.projectId,
    readyState: d.readyState,
    state: d.readyState,
    target: d.target,
    createdAt: d.createdAt,
    created: d.createdAt,
    meta: d.meta,
    alias: [...aliases].filter(([, id]) => id === d.id).map(([a]) => a),
    aliasAssigned: d.readyState === 'READY' && d.target === 'production' ? d.createdAt + 1 : null,
    aliasError: null,
    type: d.type ?? 'LAMBDAS',
  })
  const error = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): FakeReply => ({ status, json: { error: { code, message, ...extra } } })

  const project = (idOrName: string) => [...projects.values()].find((p) => p.id === idOrName || p.name === idOrName)

  const advance = (d: Deployment) => {
    d.polls++
    if (d.readyState === 'QUEUED') d.readyState = 'BUILDING'
    else if (d.readyState === 'BUILDING') {
      d.readyState = 'READY'
      if (d.target === 'production') {
        const p = projects.get(d.projectId)!
        p.production = d.id
        aliases.set(`${p.name}.vercel.app`, d.id)
      }
    }
  }

  const serve = async (d: Deployment, request: FakeRequest, subpath: string): Promise<FakeReply> => {
    const dbs = [...d.files].filter(([file]) => !file.includes('/') && file.endsWith('.db'))
    if (subpath === '/-/databases.json') {
      return { status: 200, json: dbs.map(([file, sha]) => ({ name: file.slice(0, -3), hash: createHash('sha256').update(blobs.get(sha)!).digest('hex'), is_mutable: false })) }
    }
    const table = /^\/([^/]+)\/([^/.]+)\.json$/.exec(subpath)
    const db = table === null ? undefined : dbs.find(([file]) => file === `${table[1]}.db`)
    if (table === null || db === undefined) return { status: 404, json: { ok: false, error: 'Not found' } }
    const file = path.join(dbDir, `${db[1]}.db`)
    writeFileSync(file, blobs.get(db[1])!)
    const sqlite = new Database(file, { readonly: true })
    try {
      return { status: 200, json: sqlite.prepare(`select * from "${table[2]!.replace(/"/g, '')}"`).all() }
    } finally {
      sqlite.close()
    }
  }

  const handle = async (request: FakeRequest): Promise<FakeReply> => {
    const { method, path: p } = request
    if (p.startsWith('/__host/')) {
      const hostname = p.split('/')[2] ?? ''
      const subpath = p.slice(`/__host/${hostname}`.length) || '/'
      const byAlias = aliases.get(hostname)
      const d = byAlias !== undefined ? deployments.get(byAlias) : [...deployments.values()].find((x) => x.url === hostname)
      if (d === undefined || d.deleted) return { status: 404, text: 'The deployment could not be found on Vercel. DEPLOYMENT_NOT_FOUND' }
      const productionDomain = byAlias !== undefined && d.target === 'production'
      const bypass = request.headers['x-vercel-protection-bypass']
      if (protection === 'standard' && !productionDomain && (options.bypassSecret === undefined || bypass !== options.bypassSecret)) {
        // Deployment Protection: a login page, not the app (vercel.com/docs/deployment-protection).
        return { status: 401, text: '<!doctype html><html><head><title>Authentication Required</title></head><body>Vercel Authentication: log in to view this deployment.</body></html>', headers: { 'set-cookie': '_vercel_sso_nonce=x; Path=/' } }
      }
      if (d.readyState !== 'READY') return { status: 404, text: 'DEPLOYMENT_NOT_READY' }
      return serve(d, request, subpath)
    }
    if (request.headers.authorization !== `Bearer ${options.token}`) return error(403, 'forbidden', 'Not authorized')
    if (method === 'POST' && p === '/v4/now/deployments') return error(400, 'bad_request', NOW_V1_REFUSAL)
    const refused = checkVercelRequest({ method, path: `${p}${request.query.size > 0 ? `?${request.query}` : ''}`, headers: request.headers as Record<string, string>, body: request.body })
    if (refused.length > 0) {
      violations.push(...refused)
      return error(400, 'bad_request', refused.join('; '))
    }
    if (method === 'GET' && p === '/v2/user') return { status: 200, json: { user: { id: 'u1', username: 'datapub-test', email: 'me@example.com' } } }
    let m = /^\/v9\/projects\/([^/]+)$/.exec(p)
    if (m !== null) {
      const found = project(decodeURIComponent(m[1]!))
      return found === undefined ? error(404, 'not_found', 'Project not found') : { status: 200, json: { id: found.id, name: found.name, framework: null } }
    }
    if (method === 'POST' && p === '/v11/projects') {
      const body = request.body as { name: string }
      if (project(body.name) !== undefined) return error(409, 'conflict', 'A project with this name already exists')
      const created = { id: `prj_${randomBytes(6).toString('hex')}`, name: body.name, env: {} }
      projects.set(created.id, created)
      return { status: 200, json: { id: created.id, name: created.name } }
    }
    m = /^\/v10\/projects\/([^/]+)\/env$/.exec(p)
    if (m !== null) {
      const found = project(decodeURIComponent(m[1]!))
      if (found === undefined) return error(404, 'not_found', 'Project not found')
      for (const e of request.body as Array<{ key: string; value: string }>) found.env[e.key] = e.value
      return { status: 201, json: { created: request.body, failed: [] } }
    }
    if (method === 'POST' && p === '/v2/files') {
      const sha = String(request.headers['x-vercel-digest'] ?? '')
      if (createHash('sha1').update(request.raw).digest('hex') !== sha) return error(400, 'invalid_digest', 'The digest does not match the file')
      blobs.set(sha, request.raw)
      return { status: 200, json: { urls: [] } }
    }
    if (method === 'POST' && p === '/v13/deployments') {
      const body = request.body as { name: string; project?: string; files: Array<{ file: string; sha: string }>; target?: string; meta?: Record<string, string> }
      const missing = body.files.filter((f) => !blobs.has(f.sha)).map((f) => f.sha)
      if (missing.length > 0) return error(400, 'missing_files', 'Missing files', { missing })
      const found = project(body.project ?? body.name)
      if (found === undefined) return error(404, 'not_found', 'Project not found')
      const id = `dpl_${(++seq).toString().padStart(4, '0')}${randomBytes(4).toString('hex')}`
      const d: Deployment = { id, name: body.name, projectId: found.id, url: `${body.name}-${randomBytes(4).toString('hex')}-team.vercel.app`, target: body.target === 'production' ? 'production' : null, createdAt: Date.now() + seq, polls: 0, readyState: 'QUEUED', files: new Map(body.files.map((f) => [f.file, f.sha])), meta: body.meta ?? {} }
      deployments.set(id, d)
      return { status: 200, json: json(d) }
    }
    m = /^\/v13\/deployments\/([^/]+)$/.exec(p)
    if (m !== null) {
      const d = deployments.get(decodeURIComponent(m[1]!))
      if (d === undefined || d.deleted) return error(404, 'not_found', 'Deployment not found')
      if (method === 'DELETE') {
        d.deleted = true
        for (const [a, id] of aliases) if (id === d.id) aliases.delete(a)
        return { status: 200, json: { uid: d.id, state: 'DELETED' } }
      }
      advance(d)
      return { status: 200, json: json(d) }
    }
    if (method === 'GET' && p === '/v7/deployments') {
      const limit = Number(request.query.get('limit') ?? options.pageSize ?? 20)
      const until = request.query.get('until')
      const all = [...deployments.values()]
        .filter((d) => !d.deleted)
        .filter((d) => request.query.get('projectId') === null || d.projectId === request.query.get('projectId') || projects.get(d.projectId)?.name === request.query.get('projectId'))
        .filter((d) => request.query.get('target') === null || d.target === request.query.get('target'))
        .filter((d) => until === null || d.createdAt < Number(until))
        .sort((a, b) => b.createdAt - a.createdAt)
      const page = all.slice(0, Math.min(limit, options.pageSize ?? 20))
      const more = all.length > page.length
      return { status: 200, json: { deployments: page.map(json), pagination: { count: page.length, next: more ? page.at(-1)!.createdAt : null, prev: null } } }
    }
    m = /^\/v2\/deployments\/([^/]+)\/aliases$/.exec(p)
    if (m !== null) {
      const d = deployments.get(decodeURIComponent(m[1]!))
      if (d === undefined) return error(404, 'not_found', 'Deployment not found')
      if (method === 'GET') return { status: 200, json: { aliases: [...aliases].filter(([, id]) => id === d.id).map(([alias]) => ({ alias, uid: `al_${alias}`, created: new Date().toISOString() })) } }
      const alias = (request.body as { alias: string }).alias
      if (aliases.get(alias) === d.id) return error(409, 'not_modified', 'The alias already points to this deployment')
      aliases.set(alias, d.id)
      return { status: 200, json: { uid: `al_${alias}`, alias, created: new Date().toISOString() } }
    }
    m = /^\/v1\/projects\/([^/]+)\/rollback\/([^/]+)$/.exec(p)
    if (m !== null) {
      const found = project(decodeURIComponent(m[1]!))
      const d = deployments.get(decodeURIComponent(m[2]!))
      if (found === undefined || d === undefined || d.readyState !== 'READY' || d.target !== 'production') return error(400, 'invalid_rollback', 'This deployment cannot be rolled back to')
      found.production = d.id
      aliases.set(`${found.name}.vercel.app`, d.id)
      return { status: 201, text: '' }
    }
    if (/^\/v3\/deployments\/[^/]+\/events$/.test(p)) return { status: 200, json: [] }
    return error(404, 'not_found', `fake vercel has no ${method} ${p}`)
  }

  const server = await startFakeServer(handle)
  return {
    server,
    url: server.url,
    deployments,
    projects,
    aliases,
    violations,
    routes: () => Object.fromEntries([...[...deployments.values()].map((d) => d.url), ...aliases.keys()].map((h) => [h, server.url])),
    seedDeployment(d) {
      const projectName = d.project ?? d.name
      let found = project(projectName)
      if (found === undefined) {
        found = { id: `prj_${randomBytes(6).toString('hex')}`, name: projectName, env: {} }
        projects.set(found.id, found)
      }
      const id = `dpl_seed${(++seq).toString().padStart(4, '0')}`
      deployments.set(id, { id, name: d.name, projectId: found.id, url: `${d.name}-${id.slice(-4)}.now.sh`, target: d.target ?? null, createdAt: d.createdAt, polls: 0, readyState: 'READY', files: new Map(), meta: {}, ...(d.type === undefined ? {} : { type: d.type }) })
      if (d.alias !== undefined) aliases.set(d.alias, id)
      return id
    },
    close: () => server.close(),
  }
}
