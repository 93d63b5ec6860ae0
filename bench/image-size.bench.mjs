// Image size: datapub's multi-stage recipe (default: minimal runtime, FROM scratch) against a naive
// single-stage build of the same app and data, the way `datasette publish` builds (build tools,
// caches and sources left in), on the same base images. Needs the engine and base images of `scripts/dev-env up`.
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { devEnv } from './dev-env.mjs'
import { pathToFileURL } from 'node:url'

export default async function imageSize(ctx) {
  const env = devEnv(ctx)
  const core = await loadImageModule(ctx.root)
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-image-'))
  try {
    const engine = await core.connectEngine({ env })
    const db = path.join(work, 'data.db')
    const rows = ctx.quick ? 2_000 : 20_000
    makeDatabase(ctx.root, db, rows)
    const bytes = readFileSync(db)
    const inspect = { data: { hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, file: 'data.db', tables: { rows: { count: rows } } } }
    ctx.log(`data: ${rows} rows, ${(bytes.length / 1e6).toFixed(2)} MB`)

    const spec = {
      name: 'bench', inputs: [], databaseName: 'data', metadata: { title: 'bench' }, extraOptions: [], datasette: 'datasette',
      staticMounts: [], install: [], env: {}, port: 8001, showFiles: false, providerOptions: {}, verify: false, verifyTimeoutMs: 0,
      image: { baseImage: env.DATAPUB_TEST_BASE_BUILD, runtimeImage: env.DATAPUB_TEST_BASE_RUNTIME, pipFindLinks: env.DATAPUB_STANDIN_WHEELS, aptPackages: [], spatialite: false },
    }
    const context = await core.createBuildContext({ spec, databases: [{ name: 'data', file: db }], inspect }, path.join(work, 'recipe'))
    ctx.log('building the recipe')
    const recipe = await core.buildImage(engine, context, { tag: 'datapub-bench/recipe:latest', networkMode: 'host' })

    ctx.log('building the naive single-stage image')
    const naive = await buildNaive(core, engine, work, db, inspect, env, ctx)

    const runtimeLayers = (await engine.inspectImage(env.DATAPUB_TEST_BASE_RUNTIME)).layers
    const buildLayers = (await engine.inspectImage(env.DATAPUB_TEST_BASE_BUILD)).layers
    const r = await core.analyzeImage({ engine, ref: recipe.tag }, { baseDiffIds: runtimeLayers })
    const n = await core.analyzeImage({ engine, ref: naive.tag }, { baseDiffIds: buildLayers })
    const runtimeBaseBytes = (await core.analyzeImage({ engine, ref: env.DATAPUB_TEST_BASE_RUNTIME })).totalBytes
    const ratio = n.totalBytes / r.totalBytes
    const gzipRatio = n.compressedBytes / r.compressedBytes
    return {
      name: 'image size: multi-stage recipe vs naive single-stage build (same base images, app and data)',
      measurements: [
        { label: 'recipe image size', value: r.totalBytes / 1e6, unit: 'MB' },
        { label: 'recipe image size, gzip', value: r.compressedBytes / 1e6, unit: 'MB' },
        { label: `naive image size${naive.compilers ? ' (with gcc, python3-dev)' : ' (no compilers: mirror unreachable)'}`, value: n.totalBytes / 1e6, unit: 'MB' },
        { label: 'naive image size, gzip', value: n.compressedBytes / 1e6, unit: 'MB' },
        { label: 'recipe wasted bytes (dive)', value: r.wastedBytes / 1e6, unit: 'MB' },
        { label: 'naive wasted bytes (dive)', value: n.wastedBytes / 1e6, unit: 'MB' },
        { label: 'recipe efficiency (dive)', value: r.efficiency, unit: '' },
        { label: 'naive efficiency (dive)', value: n.efficiency, unit: '' },
        { label: 'recipe prunable files (whole image: no base layers)', value: r.prunable.files, unit: 'files' },
        { label: 'naive prunable files above the base', value: n.prunable.files, unit: `files (${(n.prunable.bytes / 1e6).toFixed(1)} MB)` },
        { label: 'recipe: interpreter, stdlib, libraries, /bin/sh (assemble stage)', value: layerBytes(r, /--from=assemble|COPY dir:\S+ in \/ *$|COPY \/rootfs \//) / 1e6, unit: 'MB' },
        { label: 'recipe: venv (Datasette and plugins)', value: layerBytes(r, /\/opt\/datasette/) / 1e6, unit: 'MB' },
        { label: 'recipe: app (databases, metadata, inspect file)', value: layerBytes(r, /\/app\//) / 1e6, unit: 'MB' },
        { label: 'recipe bytes from the runtime base image', value: r.layers.filter((l) => l.base).reduce((a, l) => a + l.bytes, 0) / 1e6, unit: 'MB (0: FROM scratch)' },
        { label: 'runtime base image (what the --runtime base variant starts from)', value: runtimeBaseBytes / 1e6, unit: 'MB' },
        { label: 'naive bytes above the build base', value: n.layers.filter((l) => !l.base).reduce((a, l) => a + l.bytes, 0) / 1e6, unit: 'MB' },
      ],
      ratios: [
        { label: 'naive size / recipe size', value: ratio, target: 4, better: 'higher', pass: ratio >= 4 },
        { label: 'naive gzip size / recipe gzip size', value: gzipRatio, better: 'higher', pass: true },
        { label: 'recipe efficiency', value: r.efficiency, target: 0.99, better: 'higher', pass: r.efficiency >= 0.99 },
        { label: 'recipe prunable files', value: r.prunable.files, target: 0, better: 'lower', pass: r.prunable.files === 0 },
      ],
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function layerBytes(report, createdBy) {
  return report.layers.filter((l) => createdBy.test(l.createdBy ?? '')).reduce((a, l) => a + l.bytes, 0)
}

/** The naive build mirrors `datasette publish`'s Dockerfile (reference/datasette-publish.md 2.1). */
async function buildNaive(core, engine, work, db, inspect, env, ctx) {
  const dir = path.join(work, 'naive')
  mkdirSync(dir)
  cpSync(db, path.join(dir, 'data.db'))
  cpSync(env.DATAPUB_STANDIN_WHEELS, path.join(dir, 'wheels'), { recursive: true })
  writeFileSync(path.join(dir, 'metadata.json'), '{"title": "bench"}\n')
  const dockerfile = (compilers) => [
    `FROM ${env.DATAPUB_TEST_BASE_BUILD}`,
    'COPY . /app',
    'WORKDIR /app',
    ...(compilers ? ['RUN apt-get update && apt-get install -y python3-dev gcc && rm -rf /var/lib/apt/lists/*'] : []),
    'ENV DATASETTE_SECRET=x',
    // The test base sets PIP_NO_CACHE_DIR; official python images do not, so pip keeps its cache as it would there.
    'RUN env -u PIP_NO_CACHE_DIR sh -c "python3 -m venv /usr/local/datasette && /usr/local/datasette/bin/pip install -U --no-index --find-links /app/wheels datasette"',
    'ENV PATH=/usr/local/datasette/bin:$PATH',
    'RUN datasette inspect data.db --inspect-file inspect-data.json',
    'ENV PORT 8001',
    'EXPOSE 8001',
    'CMD datasette serve --host 0.0.0.0 -i data.db --cors --inspect-file inspect-data.json --metadata metadata.json --port $PORT',
    '',
  ].join('\n')
  // --quick is a smoke run: the apt-get step (minutes on a cold cache) proves nothing there.
  for (const compilers of ctx.quick ? [false] : [true, false]) {
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile(compilers))
    const context = await core.openBuildContext(dir, dockerfile(compilers))
    try {
      const built = await core.buildImage(engine, context, { tag: 'datapub-bench/naive:latest', networkMode: 'host' })
      return { ...built, compilers }
    } catch (error) {
      if (!compilers) throw error
      ctx.log(`naive build with apt failed (${error.message.slice(0, 160)}); building it without compilers`)
    }
  }
  throw new Error('unreachable')
}

function makeDatabase(root, file, rows) {
  const Database = createRequire(path.join(root, 'packages/core/package.json'))('better-sqlite3')
  const db = new Database(file)
  db.exec('create table rows (id integer primary key, name text, value real, note text)')
  const insert = db.prepare('insert into rows (name, value, note) values (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`row ${i}`, i * 1.5, `note ${i % 97} ${'x'.repeat(i % 40)}`)
  })()
  db.close()
}

/** The bench runs plain node: bundle core's image module (TypeScript) once with esbuild, dependencies external. */
async function loadImageModule(root) {
  const { build } = await import(pathToFileURL(path.join(root, 'node_modules/esbuild/lib/main.js')).href)
  const outdir = mkdtempSync(path.join(tmpdir(), 'datapub-bench-core-'))
  const entry = path.join(outdir, 'entry.ts')
  writeFileSync(entry, `export * from ${JSON.stringify(path.join(root, 'packages/core/src/image/index.ts'))}\nexport { connectEngine } from ${JSON.stringify(path.join(root, 'packages/core/src/image/connect-engine.ts'))}\n`)
  // Written inside packages/core so the bundle's bare imports (dockerode, tar-stream) resolve from there.
  const outfile = path.join(root, 'packages/core', `.bench-image-${process.pid}.mjs`)
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, packages: 'external', logLevel: 'error' })
  try {
    return await import(pathToFileURL(outfile).href)
  } finally {
    rmSync(outfile, { force: true })
    rmSync(outdir, { recursive: true, force: true })
  }
}
