import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine } from '../../src/image/connect-engine.js'
import type { ContainerEngine } from '../../src/contract/container-engine.js'
import { DatapubError } from '../../src/errors/datapub-error.js'
import { analyzeImage, buildImage, createBuildContext, readImageArchive, type BuildContextInput, type BuiltImage, type ImageReport } from '../../src/image/index.js'
import { main } from '@datapub/cli'
import { publishSpec } from './recipe-fixtures.js'

// Reads DOCKER_HOST and the base images from the environment (scripts/dev-env up exports them).
const need = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: eval "$(scripts/dev-env up --registry)" first, or run through vitest's engine project.`)
  return value
}
const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const Database = createRequire(path.join(root, 'packages/core/package.json'))('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void }

// The docker CLI runs one-off commands in the image (the engine interface only starts servers).
const docker = (...args: string[]) => run('docker', args, { env: process.env, maxBuffer: 16 * 1024 * 1024 })
const work = mkdtempSync(path.join(tmpdir(), 'datapub-engine-image-'))
const tag = `datapub-test/image-recipe:${process.pid}`
let engine: ContainerEngine
let input: BuildContextInput
let first: BuiltImage
let firstLog: string[]
let report: ImageReport
const containers: string[] = []

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

async function getJson(url: string, deadline: number): Promise<unknown> {
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url)
      if (response.ok) return await response.json()
      last = new Error(`HTTP ${response.status}`)
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw last
}

beforeAll(async () => {
  engine = await connectEngine({ env: process.env })
  const dbFile = path.join(work, 'parks.db')
  const db = new Database(dbFile)
  db.exec("create table parks (id integer primary key, name text); insert into parks (name) values ('Yellowstone'), ('Yosemite'), ('Zion');")
  db.close()
  const bytes = readFileSync(dbFile)
  input = {
    spec: publishSpec(
      { metadata: { title: 'Parks $(whoami)', databases: { parks: { source: 'test' } } }, versionNote: "it's a test", env: { DATASETTE_SECRET: 'engine-test-secret-value' } },
      { baseImage: need('DATAPUB_TEST_BASE_BUILD'), runtimeImage: need('DATAPUB_TEST_BASE_RUNTIME'), pipFindLinks: need('DATAPUB_DATASETTE_WHEELS') },
    ),
    databases: [{ name: 'parks', file: dbFile }],
    inspect: { parks: { hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, file: 'parks.db', tables: { parks: { count: 3 } } } },
  }
  const context = await createBuildContext(input, path.join(work, 'context-1'))
  firstLog = []
  // No cache for the first build, so every run exercises pip and the prune step for real; the second build then reuses it.
  first = await buildImage(engine, context, { tag, networkMode: 'host', noCache: true, onLog: (line) => firstLog.push(line) })
  report = await analyzeImage({ engine, ref: tag }, { baseDiffIds: (await engine.inspectImage(input.spec.image.runtimeImage)).layers })
})

afterAll(async () => {
  for (const id of containers) await engine?.removeContainer(id)
  await engine?.removeImage(tag)
})

describe('the recipe on a real engine', () => {
  it('builds, streaming the steps and the prune summary', () => {
    expect(first.imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(first.steps.map((s) => s.instruction.split(' ')[0]!.toUpperCase())).toContain('COPY')
    // Real Datasette 0.x declares pip and setuptools as dependencies, but nothing imports them: both go.
    expect(firstLog.some((l) => /datapub prune: removed pip, setuptools; \d+ paths, \d+ bytes; \d+ bytes of ELF symbols and debug data; [1-9]\d* modules as bytecode only/.test(l))).toBe(true)
    expect(firstLog.some((l) => /datapub assemble: \d+ files, \d+ bytes besides the venv/.test(l))).toBe(true)
  })

  it('reuses the cache for the same context written elsewhere: same image id, every step cached', async () => {
    const again = await createBuildContext(input, path.join(work, 'context-2'))
    const second = await buildImage(engine, again, { tag, networkMode: 'host' })
    expect(second.imageId).toBe(first.imageId)
    const cacheable = second.steps.filter((s) => !/^FROM /i.test(s.instruction))
    expect(cacheable.length).toBeGreaterThan(5)
    expect(cacheable.filter((s) => !s.cached).map((s) => s.instruction)).toEqual([])
  })

  it('serves the data on $PORT: versions and a table as JSON', async () => {
    const port = await freePort()
    const container = await engine.runContainer({ image: tag, name: `datapub-test-image-${process.pid}`, env: { PORT: String(port) }, networkMode: 'host', containerPort: port, restart: 'no' })
    containers.push(container.id)
    const deadline = Date.now() + 60_000
    const versions = (await getJson(`http://127.0.0.1:${port}/-/versions.json`, deadline)) as { datasette: { version: string; note?: string } }
    expect(versions.datasette).toEqual({ version: need('DATAPUB_DATASETTE_VERSION'), note: "it's a test" })
    const table = (await getJson(`http://127.0.0.1:${port}/parks/parks.json?_shape=array`, deadline)) as Array<{ name: string }>
    expect(table.map((r) => r.name)).toEqual(['Yellowstone', 'Yosemite', 'Zion'])
    const metadata = (await getJson(`http://127.0.0.1:${port}/-/metadata.json`, deadline)) as { title: string }
    expect(metadata.title).toBe('Parks $(whoami)')
  })

  it('ships no build leftovers, no build tools and no secrets, at dive efficiency >= 0.99', async () => {
    expect(report.prunable.files).toBe(0)
    expect(report.efficiency).toBeGreaterThanOrEqual(0.99)
    const archive = await readImageArchive(await engine.saveImage(tag), { estimateCompressed: false })
    const paths = archive.layers.flatMap((l) => l.entries.map((e) => e.path))
    expect(paths).toContain('app/parks.db')
    expect(paths).toContain('app/inspect-data.json')
    expect(paths.filter((p) => p.startsWith('opt/datasette/'))).not.toEqual([])
    expect(paths.filter((p) => /site-packages\/(?:pip|setuptools|pkg_resources|wheel)\/|opt\/datasette\/.*__pycache__|^wheels\/|datapub-prune|^rootfs\//.test(p))).toEqual([])
    const env = (await engine.inspectImage(tag)).config.env ?? []
    expect(env.join('\n')).not.toContain('engine-test-secret-value')
    expect(env).toContain('PORT=8001')
  })

  it('starts from scratch: none of the runtime base, only what the venv needs, as a non-root user', async () => {
    const base = new Set((await engine.inspectImage(input.spec.image.runtimeImage)).layers)
    expect(report.layers.filter((l) => l.base || base.has(l.diffId))).toEqual([])
    // The base runtime image alone is ~110 MB here; the minimal one must stay far below it.
    expect(report.totalBytes).toBeLessThan(60e6)
    const archive = await readImageArchive(await engine.saveImage(tag), { estimateCompressed: false })
    const paths = new Set(archive.layers.flatMap((l) => l.entries.map((e) => e.path)))
    // The stdlib and the venv ship as bytecode only (no sources, no __pycache__).
    for (const needed of ['bin', 'usr/bin/sh', 'etc/passwd', 'tmp', 'usr/lib/python3.11/os.pyc', 'usr/lib/python3.11/sqlite3/__init__.pyc', 'usr/lib/python3.11/asyncio/__init__.pyc']) {
      expect(paths, needed).toContain(needed)
    }
    for (const dropped of ['usr/lib/python3.11/os.py', 'usr/lib/python3.11/__pycache__/os.cpython-311.pyc', 'usr/lib/python3.11/distutils/__init__.pyc', 'usr/lib/python3.11/test/__init__.py', 'usr/lib/python3.11/idlelib/__init__.py', 'usr/lib/python3.11/lib2to3/__init__.py', 'usr/bin/apt-get', 'usr/bin/perl', 'usr/bin/bash']) {
      expect(paths, dropped).not.toContain(dropped)
    }
    // Real Datasette's PyYAML brings a C extension that prune cut with sstrip: it must still load.
    const yamlProbe = process.env.DATAPUB_DATASETTE_KIND === 'real' ? 'import yaml; assert yaml.__with_libyaml__ and yaml.load("a: 1", Loader=yaml.CSafeLoader) == {"a": 1};' : ''
    const probe = await docker('run', '--rm', '--network', 'none', tag, 'python', '-c', `import os, ssl, sqlite3, hashlib, uuid, json, http.server, email, urllib.request, asyncio, tempfile, decimal; tempfile.NamedTemporaryFile(); ${yamlProbe} print(os.getuid())`)
    expect(probe.stdout.trim()).toBe('65532')
  })

  it('builds the base runtime on request: the runtime image plus the venv, serving the same data', async () => {
    const baseInput = { ...input, spec: { ...input.spec, image: { ...input.spec.image, runtime: 'base' as const } } }
    const context = await createBuildContext(baseInput, path.join(work, 'context-base'))
    expect(context.dockerfile).not.toContain('FROM scratch')
    const built = await buildImage(engine, context, { tag: `${tag}-base`, networkMode: 'host' })
    try {
      const base = (await engine.inspectImage(input.spec.image.runtimeImage)).layers
      const baseReport = await analyzeImage({ engine, ref: built.tag }, { baseDiffIds: base })
      expect(baseReport.layers.filter((l) => l.base).length).toBe(base.length)
      expect(baseReport.totalBytes).toBeGreaterThan(report.totalBytes)
      const port = await freePort()
      const container = await engine.runContainer({ image: built.tag, name: `datapub-test-image-base-${process.pid}`, env: { PORT: String(port) }, networkMode: 'host', containerPort: port, restart: 'no' })
      containers.push(container.id)
      const table = (await getJson(`http://127.0.0.1:${port}/parks/parks.json?_shape=array`, Date.now() + 60_000)) as Array<{ name: string }>
      expect(table.map((r) => r.name)).toEqual(['Yellowstone', 'Yosemite', 'Zion'])
    } finally {
      for (const id of containers.splice(0)) await engine.removeContainer(id)
      await engine.removeImage(built.tag)
    }
  })

  it('turns a failing pip step into IMAGE_BUILD_FAILED with that step\'s log and a pip hint', async () => {
    const broken = { ...input, spec: { ...input.spec, install: ['datapub-no-such-plugin'], image: { ...input.spec.image, builderAptPackages: [] } } }
    const context = await createBuildContext(broken, path.join(work, 'context-broken'))
    const error = await buildImage(engine, context, { tag: `${tag}-broken`, networkMode: 'host' }).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DatapubError)
    const e = error as DatapubError
    expect(e.code).toBe('IMAGE_BUILD_FAILED')
    expect(String(e.details?.instruction)).toContain('pip install')
    expect((e.details?.stepLog as string[]).join('\n')).toMatch(/datapub-no-such-plugin/)
    expect(e.hint).toMatch(/pip could not find a package/)
  })

  it('prints the report with `datapub inspect-image`', async () => {
    const out: string[] = []
    const io = { stdout: (t: string) => void out.push(t), stderr: () => undefined, env: process.env, cwd: work }
    expect(await main(['inspect-image', tag, '--base', input.spec.image.runtimeImage, '--top', '3', '--json'], io)).toBe(0)
    const printed = JSON.parse(out.join('')) as ImageReport
    expect(printed.imageId).toBe(first.imageId)
    expect(printed.largestFiles).toHaveLength(3)
    expect(printed.layers.filter((l) => !l.base).length).toBe(report.layers.filter((l) => !l.base).length)
    out.length = 0
    expect(await main(['inspect-image', tag], io)).toBe(0)
    expect(out.join('')).toMatch(/largest directories \(du -m \| sort -n\)/)
  })
})
