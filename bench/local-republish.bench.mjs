// The embedded default's fast republish, as a user types it: `datapub publish local` of changed
// data on an unchanged runtime, whole commands (process start, conversion, build or append,
// load, deploy, verify). The peer is the same command with the engine builder (warm cache).
// No registry: the append builder keeps the runtime image in the engine and loads only the new
// layers. Needs the engine and base images of `scripts/dev-env up`.
import { execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { devEnv } from './dev-env.mjs'

const run = promisify(execFile)

export default async function localRepublishBench(ctx) {
  const env = devEnv(ctx)
  const cliEnv = { ...env, DATAPUB_BASE_IMAGE: env.DATAPUB_TEST_BASE_BUILD, DATAPUB_RUNTIME_IMAGE: env.DATAPUB_TEST_BASE_RUNTIME, DATAPUB_PIP_FIND_LINKS: env.DATAPUB_STANDIN_WHEELS }
  delete cliEnv.DATAPUB_BUILDER
  delete cliEnv.DATAPUB_RUNTIME_REGISTRY
  const bin = path.join(ctx.root, 'packages/cli/bin/datapub.mjs')
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-local-republish-'))
  const rows = ctx.quick ? 2_000 : 400_000
  const names = { engine: `bench-republish-engine-${process.pid}`, append: `bench-republish-append-${process.pid}` }
  const docker = (...args) => run('docker', args, { env, maxBuffer: 1 << 26 })
  const runtimeBefore = new Set((await docker('images', '-q', '--no-trunc', 'datapub-runtime/local')).stdout.split('\n').filter(Boolean))
  const tags = new Set()
  const csv = (n, extra) => {
    const file = path.join(work, `v${n}`, 'data.csv')
    rmSync(path.dirname(file), { recursive: true, force: true })
    mkdirSync(path.dirname(file), { recursive: true })
    let text = 'id,name,value,note\n'
    for (let i = 0; i < rows + extra; i++) text += `${i},row ${i},${(i * 1.5).toFixed(1)},note ${i % 97} ${'x'.repeat(i % 40)}\n`
    writeFileSync(file, text)
    return file
  }
  const publishLocal = async (file, name, builder) => {
    const start = process.hrtime.bigint()
    const out = await runCli(process.execPath, [bin, 'publish', 'local', file, '--name', name, '--builder', builder, '--json'], cliEnv, work)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    const built = events.find((e) => e.type === 'image:built')
    if (built?.tag) tags.add(built.tag)
    const loaded = events.filter((e) => e.type === 'push:progress').at(-1)
    return { seconds, newBytes: built?.bytes, sentBytes: loaded?.totalBytes, builds: events.filter((e) => e.type === 'image:build:log').length > 0 }
  }
  try {
    const v1 = csv(1, 0)
    ctx.log(`${rows} rows; first publish with each builder (warms the engine cache, builds the runtime image; not timed)`)
    await publishLocal(v1, names.engine, 'engine')
    await publishLocal(v1, names.append, 'append')
    const v2 = csv(2, 10)
    ctx.log('data changed: republish with the engine builder (warm cache)')
    const engine = await publishLocal(v2, names.engine, 'engine')
    ctx.log('data changed: republish with the append builder')
    const append = await publishLocal(v2, names.append, 'append')
    const timeRatio = engine.seconds / append.seconds
    const bytesRatio = append.sentBytes / append.newBytes
    return {
      name: `datapub publish local after a data change (${rows} rows), whole commands`,
      measurements: [
        { label: 'publish local, engine builder (warm cache)', value: engine.seconds, unit: 's' },
        { label: `publish local, append builder${append.builds ? ' (it built!)' : ' (no build)'}`, value: append.seconds, unit: 's' },
        { label: 'append: bytes sent to the engine (archive)', value: append.sentBytes / 1e6, unit: 'MB' },
        { label: 'append: new layers and config', value: append.newBytes / 1e6, unit: 'MB' },
      ],
      ratios: [
        { label: 'engine republish time / append republish time', value: timeRatio, target: 10, better: 'higher', pass: timeRatio >= 10 && !append.builds },
        { label: 'bytes sent to the engine / new layers', value: bytesRatio, target: 1.05, better: 'lower', pass: bytesRatio <= 1.05 },
      ],
    }
  } finally {
    for (const name of Object.values(names)) await runCli(process.execPath, [bin, 'destroy', 'local', name], cliEnv, work).catch(() => undefined)
    for (const tag of tags) await docker('rmi', '-f', tag).catch(() => undefined)
    const runtimeAfter = (await docker('images', '-q', '--no-trunc', 'datapub-runtime/local')).stdout.split('\n').filter(Boolean)
    for (const id of runtimeAfter) if (!runtimeBefore.has(id)) await docker('rmi', '-f', id).catch(() => undefined)
    rmSync(work, { recursive: true, force: true })
  }
}

function runCli(command, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.slice(1, 3).join(' ')} exited ${code}: ${(err || out).slice(-1500)}`))))
  })
}
