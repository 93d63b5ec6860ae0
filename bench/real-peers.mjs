// The images the image-size and time-to-serve entries compare, all on the same base (the
// python:3.11-slim look-alike dev-env builds, else the Debian test images) with the same pinned
// wheelhouse of real Datasette and the same data:
//   recipe   datapub's recipe, default minimal runtime;
//   package  the Dockerfile `datasette package` itself writes (run from a host venv with real
//            Datasette from the wheelhouse), only its FROM and its pip source changed;
//   naive    our single-stage imitation of `datasette publish` with compilers (the older peer).
// Builds are cached by the engine, so the second entry that asks gets them in seconds.
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export function peerBases(env) {
  const lookalike = env.DATAPUB_TEST_BASE_LOOKALIKE
  return lookalike ? { build: lookalike, runtime: lookalike, label: lookalike } : { build: env.DATAPUB_TEST_BASE_BUILD, runtime: env.DATAPUB_TEST_BASE_RUNTIME, label: env.DATAPUB_TEST_BASE_BUILD }
}

export async function buildPeers(ctx, core, engine, env, work, which = ['recipe', 'package', 'naive']) {
  const bases = peerBases(env)
  const db = path.join(work, 'data.db')
  const rows = ctx.quick ? 2_000 : 20_000
  if (!existsSync(db)) makeDatabase(ctx.root, db, rows)
  const bytes = readFileSync(db)
  const inspect = { data: { hash: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, file: 'data.db', tables: { rows: { count: rows } } } }
  const out = { bases, rows, dbBytes: bytes.length }
  if (which.includes('recipe')) {
    const spec = {
      name: 'bench', inputs: [], databaseName: 'data', metadata: { title: 'bench' }, extraOptions: [], datasette: 'datasette',
      staticMounts: [], install: [], env: {}, port: 8001, showFiles: false, providerOptions: {}, verify: false, verifyTimeoutMs: 0,
      image: { baseImage: bases.build, runtimeImage: bases.runtime, pipFindLinks: env.DATAPUB_DATASETTE_WHEELS, aptPackages: [], spatialite: false },
    }
    const context = await core.createBuildContext({ spec, databases: [{ name: 'data', file: db }], inspect }, path.join(work, 'recipe'))
    ctx.log(`building the recipe on ${bases.label}`)
    out.recipe = await core.buildImage(engine, context, { tag: 'datapub-bench/recipe:latest', networkMode: 'host' })
  }
  if (which.includes('package')) {
    ctx.log('writing Datasette\'s own Dockerfile with `datasette package` from a host venv')
    const dir = await datasettePackageContext(ctx, env, work, db, bases.build)
    const wheels = await serveWheels(env.DATAPUB_DATASETTE_WHEELS)
    try {
      const dockerfile = readFileSync(path.join(dir, 'Dockerfile'), 'utf8').replace('--find-links WHEELS', `--find-links ${wheels.url} --trusted-host 127.0.0.1`)
      writeFileSync(path.join(dir, 'Dockerfile'), dockerfile)
      ctx.log('building the `datasette package` image')
      out.package = await core.buildImage(engine, await core.openBuildContext(dir, dockerfile), { tag: 'datapub-bench/datasette-package:latest', networkMode: 'host' })
      out.packageDockerfile = dockerfile
    } finally {
      wheels.close()
    }
  }
  if (which.includes('naive')) {
    ctx.log('building the naive single-stage image')
    out.naive = await buildNaive(core, engine, work, db, env, bases.build, ctx)
  }
  return out
}

/**
 * `datasette package` writes its Dockerfile and context into a temporary directory and runs
 * `docker build .` there; a `docker` first on PATH copies that directory out instead. Then
 * only two lines change: FROM (no registry here) and pip's source (the pinned wheelhouse).
 */
async function datasettePackageContext(ctx, env, work, db, base) {
  const venv = path.join(work, 'peer-venv')
  if (!existsSync(path.join(venv, 'bin/datasette'))) {
    await run('python3', ['-m', 'venv', venv])
    await run(path.join(venv, 'bin/pip'), ['install', '-q', '--no-index', '--find-links', env.DATAPUB_DATASETTE_WHEELS, 'datasette'], { env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } })
  }
  const shim = path.join(work, 'shim')
  const captured = path.join(work, 'package')
  mkdirSync(shim, { recursive: true })
  writeFileSync(path.join(shim, 'docker'), `#!/bin/sh\nrm -rf '${captured}' && cp -r . '${captured}'\n`)
  chmodSync(path.join(shim, 'docker'), 0o755)
  writeFileSync(path.join(work, 'metadata.json'), '{"title": "bench"}\n')
  await run(path.join(venv, 'bin/datasette'), ['package', path.basename(db), '--metadata', 'metadata.json', '--secret', 'bench-secret'], {
    cwd: work,
    env: { ...process.env, PATH: `${shim}:${path.join(venv, 'bin')}:${process.env.PATH}` },
  })
  const dockerfile = readFileSync(path.join(captured, 'Dockerfile'), 'utf8')
  if (!/^FROM python:/m.test(dockerfile) || !/^RUN pip install -U datasette$/m.test(dockerfile)) throw new Error(`datasette package wrote an unexpected Dockerfile:\n${dockerfile}`)
  writeFileSync(path.join(captured, 'Dockerfile'), dockerfile.replace(/^FROM python:\S+/m, `FROM ${base}`).replace(/^RUN pip install -U datasette$/m, 'RUN pip install -U --no-index --find-links WHEELS datasette'))
  const version = (await run(path.join(venv, 'bin/datasette'), ['--version'])).stdout.trim()
  ctx.log(`${version}: ${readdirSync(captured).join(', ')}`)
  return captured
}

/** The wheelhouse over loopback HTTP, so the peer's image gets no copy of it. */
function serveWheels(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let seen = ''
    child.stdout.on('data', (chunk) => {
      seen += chunk
      const m = /port (\d+)/.exec(seen)
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}/`, close: () => child.kill() })
    })
    child.on('exit', (code) => reject(new Error(`wheel server exited ${code}`)))
  })
}

/** The naive build mirrors `datasette publish`'s Dockerfile (reference/datasette-publish.md 2.1). */
async function buildNaive(core, engine, work, db, env, base, ctx) {
  const dir = path.join(work, 'naive')
  mkdirSync(dir, { recursive: true })
  cpSync(db, path.join(dir, 'data.db'))
  cpSync(env.DATAPUB_DATASETTE_WHEELS, path.join(dir, 'wheels'), { recursive: true })
  writeFileSync(path.join(dir, 'metadata.json'), '{"title": "bench"}\n')
  const dockerfile = (compilers) => [
    `FROM ${base}`,
    'COPY . /app',
    'WORKDIR /app',
    ...(compilers ? ['RUN apt-get update && apt-get install -y python3-dev gcc && rm -rf /var/lib/apt/lists/*'] : []),
    'ENV DATASETTE_SECRET=x',
    'RUN env -u PIP_NO_CACHE_DIR sh -c "python3 -m venv /usr/local/datasette && /usr/local/datasette/bin/pip install -U --no-index --find-links /app/wheels datasette"',
    'ENV PATH=/usr/local/datasette/bin:$PATH',
    'RUN datasette inspect data.db --inspect-file inspect-data.json',
    'ENV PORT 8001',
    'EXPOSE 8001',
    'CMD datasette serve --host 0.0.0.0 -i data.db --cors --inspect-file inspect-data.json --metadata metadata.json --port $PORT',
    '',
  ].join('\n')
  for (const compilers of [true, false]) {
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
