import { execFile } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineEnv } from '../../helpers/engine-env.js'

// Real Datasette from the pinned wheelhouse, published by the datapub command as a user types
// it, once per final stage, on the python:3.11-slim look-alike. One publish with every flag
// serves all the checks: each image build costs a full copy of its layers under vfs.
const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const fixture = path.join(root, 'test/engine/real-datasette/fixture')
const bin = path.join(root, 'packages/cli/bin/datapub.mjs')
const real = process.env.DATAPUB_DATASETTE_KIND === 'real'
const env = engineEnv()
const lookalike = process.env.DATAPUB_TEST_BASE_LOOKALIKE ?? ''
const work = mkdtempSync(path.join(tmpdir(), 'datapub-realds-'))
const GITHUB_SECRET = 'sentinel-gh-client-secret-7f3e'
const COOKIE_SECRET = 'sentinel-cookie-secret-2a9d'
const CLIENT_ID = 'sentinel-client-id-41'

const docker = (...args: string[]) => run('docker', args, { env: { ...process.env, DOCKER_HOST: env.dockerHost }, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' })

function datapub(args: string[]) {
  return run(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, DOCKER_HOST: env.dockerHost, DATAPUB_PIP_FIND_LINKS: env.wheels },
    maxBuffer: 64 * 1024 * 1024,
  })
}

/** itsdangerous' URLSafeSerializer(secret, salt).dumps, which `datasette.sign` uses, for JSON too short to compress. */
function sign(value: unknown, secret: string, salt: string): string {
  const b64 = (b: Buffer) => b.toString('base64url')
  const payload = b64(Buffer.from(JSON.stringify(value)))
  const key = createHash('sha1').update(`${salt}signer${secret}`).digest()
  return `${payload}.${b64(createHmac('sha1', key).update(payload).digest())}`
}

interface Published {
  name: string
  url: string
  tag: string
}

async function publish(runtime: 'minimal' | 'base'): Promise<Published> {
  const name = `realds-${runtime}-${process.pid}`
  const { stdout } = await datapub([
    'publish', 'local', 'examples/timezones/timezones.csv', 'examples/timezones/countries.csv', '--json',
    '--name', name, '--runtime', runtime, '--base-image', lookalike, '--runtime-image', lookalike,
    '--metadata', path.join(fixture, 'metadata.json'), '--title', 'Time zones', '--license', 'Public domain', '--license-url', 'https://example.org/pd',
    '--source', 'IANA tzdata', '--source-url', 'https://example.org/tz',
    '--extra-options', '--setting default_page_size 7 --setting sql_time_limit_ms 2500',
    '--install', 'datasette-cluster-map', '--install', 'datasette-auth-github',
    '--plugin-secret', 'datasette-auth-github', 'client_secret', GITHUB_SECRET,
    '--plugin-secret', 'datasette-auth-github', 'client_id', CLIENT_ID,
    '--secret', COOKIE_SECRET,
    '--static', `assets:${path.join(fixture, 'static')}`,
    '--template-dir', path.join(fixture, 'templates'), '--plugins-dir', path.join(fixture, 'plugins'),
    '--version-note', `realds ${runtime}`,
  ])
  const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; tag?: string; deployment?: { url: string } })
  const url = events.find((e) => e.type === 'result')?.deployment?.url
  const tag = events.find((e) => e.type === 'image:built')?.tag
  if (!url || !tag) throw new Error(`publish printed no result: ${stdout.slice(-2000)}`)
  return { name, url, tag }
}

function get(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, { redirect: 'manual', ...init })
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await get(url, init)
  expect(response.status, url).toBe(200)
  return (await response.json()) as T
}

async function text(url: string): Promise<string> {
  const response = await get(url)
  expect(response.status, url).toBe(200)
  return response.text()
}

const published: Published[] = []

afterAll(async () => {
  for (const p of published) await datapub(['destroy', 'local', p.name]).catch(() => undefined)
})

describe.skipIf(!real || !lookalike).each(['minimal', 'base'] as const)('real Datasette, --runtime %s on the python:3.11-slim look-alike', (runtime) => {
  let site: Published
  const at = (p: string) => new URL(p, site.url).href

  beforeAll(async () => {
    site = await publish(runtime)
    published.push(site)
  })

  it('serves /, the database page, the table page and the --template-dir template', async () => {
    const index = await text(at('/'))
    expect(index).toContain('id="datapub-template-dir"')
    expect(index).toContain('Time zones')
    expect(await text(at('/data'))).toContain('timezones')
    const table = await text(at('/data/timezones'))
    expect(table).toMatch(/418 rows/)
    expect(table).toContain('Europe/Andorra')
  })

  it('answers JSON, ?sql=, facets and CSV export with the data', async () => {
    const rows = await json<Array<Record<string, unknown>>>(at('/data/timezones.json?_shape=array&timezone=Europe/Paris'))
    expect(rows).toEqual([expect.objectContaining({ timezone: 'Europe/Paris', country_code: 'FR', latitude: 48.8667 })])
    const sql = await json<{ rows: unknown[][] }>(at('/data.json?sql=' + encodeURIComponent('select count(*) from timezones where country_code = :c') + '&c=US'))
    expect(sql.rows[0]![0]).toBeGreaterThan(20)
    const facets = await json<{ facet_results: Record<string, { results: Array<{ value: string; count: number }> }> }>(at('/data/timezones.json?_facet=country_code&_size=0'))
    expect(facets.facet_results.country_code!.results[0]).toMatchObject({ value: 'US' })
    const csv = await text(at('/data/timezones.csv?_size=max'))
    expect(csv.split('\r\n')[0]).toBe('rowid,timezone,country_code,latitude,longitude,comment')
    expect(csv.trim().split('\r\n')).toHaveLength(419)
  })

  it('names the real version, the version note, the metadata flags and the --setting values', async () => {
    const versions = await json<{ datasette: { version: string; note: string }; python: { version: string } }>(at('/-/versions.json'))
    expect(versions.datasette).toEqual({ version: process.env.DATAPUB_DATASETTE_VERSION, note: `realds ${runtime}` })
    expect(versions.datasette.version).toMatch(/^0\.65\.\d+$/)
    expect(versions.python.version).toMatch(/^3\.11\./)
    const metadata = await json<Record<string, unknown>>(at('/-/metadata.json'))
    expect(metadata).toMatchObject({ title: 'Time zones', license: 'Public domain', license_url: 'https://example.org/pd', source: 'IANA tzdata', source_url: 'https://example.org/tz', description: 'Time zones, published by the real-Datasette engine test' })
    expect(JSON.stringify(metadata)).not.toContain(GITHUB_SECRET)
    const settings = await json<Record<string, unknown>>(at('/-/settings.json'))
    expect(settings).toMatchObject({ default_page_size: 7, sql_time_limit_ms: 2500 })
    expect((await json<unknown[]>(at('/data/timezones.json?_shape=array'))).length).toBe(7)
  })

  it('lists the --install plugins and the --plugins-dir plugin, and serves the plugins\' static assets', async () => {
    const plugins = await json<Array<{ name: string; static: boolean }>>(at('/-/plugins.json'))
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['datasette-cluster-map', 'datasette-auth-github', 'datasette-leaflet', 'datapub_probe.py']))
    expect(plugins.find((p) => p.name === 'datasette-cluster-map')?.static).toBe(true)
    const table = await text(at('/data/timezones'))
    const script = /\/-\/static-plugins\/datasette[-_]cluster[-_]map\/[^"']+\.js/.exec(table)?.[0]
    expect(script).toBeDefined()
    expect(await text(at(script!))).toContain('latitude')
    expect(await text(at('/assets/hello.txt'))).toBe('hello from --static\n')
  })

  it('resolves --plugin-secret into the real plugin\'s configuration at run time only', async () => {
    const probe = await json<{ client_secret_sha256: string }>(at('/-/datapub-probe'))
    expect(probe.client_secret_sha256).toBe(createHash('sha256').update(GITHUB_SECRET).digest('hex'))
    // datasette-auth-github itself reads client_id from its configuration to start the OAuth dance.
    const start = await get(at('/-/github-auth-start'))
    expect(start.status).toBe(302)
    expect(start.headers.get('location')).toContain(`client_id=${CLIENT_ID}`)
    const saved = (await docker('image', 'save', site.tag)).stdout
    expect(saved.length).toBeGreaterThan(1e6)
    for (const sentinel of [GITHUB_SECRET, COOKIE_SECRET]) {
      expect(saved.includes(sentinel), sentinel).toBe(false)
      expect(saved.includes(Buffer.from(sentinel).toString('base64').replace(/=+$/, '')), sentinel).toBe(false)
    }
  })

  it('signs cookies with --secret: an actor signed with it is accepted, one signed otherwise is not', async () => {
    const actor = { id: 'datapub-test' }
    const good = await json<{ actor: unknown }>(at('/-/actor.json'), { headers: { cookie: `ds_actor=${sign({ a: actor }, COOKIE_SECRET, 'actor')}` } })
    expect(good.actor).toEqual(actor)
    const forged = await json<{ actor: unknown }>(at('/-/actor.json'), { headers: { cookie: `ds_actor=${sign({ a: actor }, 'not-the-secret', 'actor')}` } })
    expect(forged.actor).toBeNull()
  })

  it('serves -i immutable databases and takes table counts from the inspect file, not from counting', async () => {
    const databases = await json<Array<{ name: string; is_mutable: boolean; hash: string | null }>>(at('/-/databases.json'))
    const data = databases.find((d) => d.name === 'data')
    expect(data).toMatchObject({ is_mutable: false })
    expect(data?.hash).toMatch(/^[0-9a-f]{64}$/)
    // The same image with an inspect file that claims other counts: Datasette must report those.
    const inspect = JSON.parse((await docker('run', '--rm', '--entrypoint', 'python', site.tag, '-c', 'print(open("/app/inspect-data.json").read())')).stdout.toString()) as Record<string, { hash: string; tables: Record<string, { count: number }> }>
    expect(inspect.data?.hash).toBe(data?.hash)
    expect(inspect.data?.tables.timezones?.count).toBe(418)
    inspect.data!.tables.timezones!.count = 123456
    const doctored = path.join(work, `inspect-${runtime}.json`)
    writeFileSync(doctored, JSON.stringify(inspect))
    const port = String(20000 + (process.pid % 20000) + (runtime === 'base' ? 1 : 0))
    const id = (await docker('run', '-d', '--rm', '--network', 'host', '-e', `PORT=${port}`, '-v', `${doctored}:/app/inspect-data.json:ro`, site.tag)).stdout.toString().trim()
    try {
      let tables: Array<{ name: string; count: number }> | undefined
      for (let i = 0; i < 120 && !tables; i++) {
        tables = await fetch(`http://127.0.0.1:${port}/data.json`).then(async (r) => (r.ok ? ((await r.json()) as { tables: Array<{ name: string; count: number }> }).tables : undefined), () => undefined)
        if (!tables) await new Promise((r) => setTimeout(r, 250))
      }
      expect(tables?.find((t) => t.name === 'timezones')?.count).toBe(123456)
    } finally {
      await docker('rm', '-f', id).catch(() => undefined)
    }
  })

  it('runs Datasette as a non-root user', async () => {
    const { stdout } = await docker('run', '--rm', '--entrypoint', 'python', site.tag, '-c', 'import os; print(os.getuid())')
    expect(stdout.toString().trim()).not.toBe('0')
    const user = (await docker('image', 'inspect', '-f', '{{.Config.User}}', site.tag)).stdout.toString().trim()
    expect(user).not.toMatch(/^(|0|root)(:|$)/)
  })
})
