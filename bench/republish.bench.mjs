// Republish after a data change: the daemonless append builder (new layers on the prebuilt
// runtime image, pushed to a loopback registry) against an engine rebuild of the same change
// with a warm cache, and the bytes append sends against the new compressed database layer.
// Needs the engine and base images of `scripts/dev-env up`.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { devEnv } from './dev-env.mjs'
import { promisify } from 'node:util'
import { loadRegistryModule } from './push.bench.mjs'

const run = promisify(execFile)

export default async function republishBench(ctx) {
  const env = devEnv(ctx)
  const mod = await loadRegistryModule(ctx.root, ['startRegistry'])
  const core = mod.module
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-republish-'))
  const registry = await core.startRegistry('plain')
  const client = new core.RegistryClient({ registry: registry.host })
  const docker = (...args) => run('docker', args, { env, maxBuffer: 1 << 26 })
  const tags = []
  try {
    const engine = await core.connectEngine({ env })
    const rows = ctx.quick ? 2_000 : 400_000
    const spec = {
      name: 'bench', inputs: [], databaseName: 'data', metadata: { title: 'bench' }, extraOptions: [], datasette: 'datasette',
      staticMounts: [], install: [], env: {}, port: 8001, showFiles: false, providerOptions: {}, verify: false, verifyTimeoutMs: 0,
      image: { baseImage: env.DATAPUB_TEST_BASE_BUILD, runtimeImage: env.DATAPUB_TEST_BASE_RUNTIME, pipFindLinks: env.DATAPUB_DATASETTE_WHEELS, aptPackages: [], spatialite: false },
    }
    const version = (n, extra) => {
      const db = path.join(work, `data-${n}.db`)
      makeDatabase(ctx.root, db, rows, extra)
      const bytes = readFileSync(db)
      const inspect = { data: { hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, file: 'data.db', tables: { rows: { count: rows + extra } } } }
      return core.createBuildContext({ spec, databases: [{ name: 'data', file: db }], inspect }, path.join(work, `context-${n}`))
    }
    const v1 = await version(1, 0)
    const dbBytes = readFileSync(path.join(v1.dir, 'app', 'data.db')).length
    ctx.log(`data: ${rows} rows, ${(dbBytes / 1e6).toFixed(1)} MB`)

    // Setup, not timed: the runtime image (recipe without data) built and pushed once.
    const recipe = core.recipeInputFromSpec(spec, ['data.db'])
    const runtime = core.runtimeRecipe(recipe)
    const runtimeDir = path.join(work, 'runtime')
    mkdirSync(path.join(runtimeDir, 'build'), { recursive: true })
    writeFileSync(path.join(runtimeDir, 'build', 'prune-venv.py'), core.PRUNE_VENV_SCRIPT)
    cpSync(env.DATAPUB_DATASETTE_WHEELS, path.join(runtimeDir, 'wheels'), { recursive: true })
    writeFileSync(path.join(runtimeDir, 'Dockerfile'), runtime.dockerfile)
    const runtimeTag = `${registry.host}/datapub/runtime:${runtime.key}`
    ctx.log('building and pushing the runtime image (setup)')
    await core.buildImage(engine, await core.openBuildContext(runtimeDir, runtime.dockerfile), { tag: runtimeTag, networkMode: 'host' })
    tags.push(runtimeTag)
    await docker('push', runtimeTag)
    const base = { client, repository: 'datapub/runtime', reference: runtime.key }
    const blobDir = path.join(work, 'blobs')
    const target = { client, repository: 'datapub/site', tags: ['latest'] }

    ctx.log('first publish of both (warms the engine cache and the registry)')
    await core.buildImage(engine, v1, { tag: 'datapub-bench/republish:v1', networkMode: 'host' })
    tags.push('datapub-bench/republish:v1')
    const first = await core.buildAppendImage({ base, appDir: path.join(v1.dir, 'app'), recipe, format: 'docker', blobDir })
    await core.pushAppendImage(first, target)

    const v2 = await version(2, 10)
    ctx.log('data changed: engine rebuild (warm cache, build only, no push)')
    const engineStart = process.hrtime.bigint()
    const built = await core.buildImage(engine, v2, { tag: 'datapub-bench/republish:v2', networkMode: 'host' })
    const engineSeconds = Number(process.hrtime.bigint() - engineStart) / 1e9
    tags.push('datapub-bench/republish:v2')
    const cachedSteps = built.steps?.filter((s) => s.cached).length ?? 0

    ctx.log('data changed: append (build layers + push)')
    const appendStart = process.hrtime.bigint()
    const second = await core.buildAppendImage({ base, appDir: path.join(v2.dir, 'app'), recipe, format: 'docker', blobDir })
    const pushed = await core.pushAppendImage(second, target)
    const appendSeconds = Number(process.hrtime.bigint() - appendStart) / 1e9
    const dbLayer = second.layers.find((l) => l.label === 'database data.db')
    const timeRatio = engineSeconds / appendSeconds
    const bytesRatio = pushed.bytesSent / dbLayer.size
    return {
      name: `republish after a data change (${(dbBytes / 1e6).toFixed(1)} MB database), library calls: append write-and-push to a registry vs an engine build`,
      measurements: [
        { label: `engine rebuild, warm cache (${cachedSteps} cached steps; vfs storage)`, value: engineSeconds, unit: 's' },
        { label: 'append: write layers + push to registry', value: appendSeconds, unit: 's' },
        { label: 'append bytes sent (blobs + manifest)', value: pushed.bytesSent / 1e6, unit: 'MB' },
        { label: 'new compressed database layer', value: dbLayer.size / 1e6, unit: 'MB' },
      ],
      ratios: [
        { label: 'engine rebuild time / append time', value: timeRatio, target: 10, better: 'higher', pass: timeRatio >= 10 },
        { label: 'append bytes sent / new database layer', value: bytesRatio, target: 1.05, better: 'lower', pass: bytesRatio <= 1.05 },
      ],
    }
  } finally {
    client.close()
    for (const tag of tags) await docker('rmi', '-f', tag).catch(() => undefined)
    await registry.stop()
    mod.cleanup()
    rmSync(work, { recursive: true, force: true })
  }
}

function makeDatabase(root, file, rows, extra) {
  const Database = createRequire(path.join(root, 'packages/core/package.json'))('better-sqlite3')
  const db = new Database(file)
  db.exec('create table rows (id integer primary key, name text, value real, note text)')
  const insert = db.prepare('insert into rows (name, value, note) values (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < rows + extra; i++) insert.run(`row ${i}`, i * 1.5, `note ${i % 97} ${'x'.repeat(i % 40)}`)
  })()
  db.close()
}
