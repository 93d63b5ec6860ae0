// Push throughput and peak memory: datapub's registry client against `skopeo copy` and
// `docker push`, each pushing the same image (one large uncompressed-tar layer) into its own
// fresh docker-registry on loopback, so no tool can skip or mount what another sent.
// Our push runs in a child process and reports its own peak RSS (getrusage maxrss).
import { execFile, spawn } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

export default async function pushBench(ctx) {
  const layerBytes = ctx.quick ? 16 * 1024 * 1024 : 1024 * 1024 * 1024
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-push-'))
  const mod = await loadRegistryModule(ctx.root, ['startRegistry'])
  const registries = []
  try {
    ctx.log(`writing a ${layerBytes / 2 ** 20} MiB layer`)
    const layout = path.join(work, 'layout')
    const image = await writeImageLayout(layout, layerBytes)

    const ours = await mod.module.startRegistry('plain')
    registries.push(ours)
    ctx.log('datapub push')
    const a = await measureChild(process.execPath, [mod.childScript, mod.bundle, layout, ours.host, 'bench/ours', 'latest'])
    const oursResult = JSON.parse(a.stdout.trim().split('\n').at(-1))
    await verifyPushed(ours.host, 'bench/ours', image)

    const sk = await mod.module.startRegistry('plain')
    registries.push(sk)
    ctx.log('skopeo copy')
    // A fresh registry on a new port: skopeo's blob-info cache knows no location there to mount from.
    const skopeo = await measureChild('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${sk.host}/bench/skopeo:latest`], { TMPDIR: work })
    await verifyPushed(sk.host, 'bench/skopeo', image, true)

    const measurements = [
      { label: 'layer size', value: layerBytes / 2 ** 20, unit: 'MiB' },
      { label: 'datapub push time', value: oursResult.seconds, unit: 's' },
      { label: 'datapub push throughput', value: layerBytes / 2 ** 20 / oursResult.seconds, unit: 'MiB/s' },
      { label: 'datapub push peak RSS (child process)', value: oursResult.maxRssKb / 1024, unit: 'MiB' },
      { label: 'skopeo copy time', value: skopeo.seconds, unit: 's' },
      { label: 'skopeo copy throughput', value: layerBytes / 2 ** 20 / skopeo.seconds, unit: 'MiB/s' },
      { label: 'skopeo copy peak RSS (VmHWM)', value: skopeo.peakKb / 1024, unit: 'MiB' },
    ]
    const speedVsSkopeo = skopeo.seconds / oursResult.seconds
    const ratios = [
      { label: 'datapub throughput / skopeo throughput', value: speedVsSkopeo, target: 1, better: 'higher', pass: speedVsSkopeo >= 1 },
      { label: 'datapub peak RSS / 150 MiB', value: oursResult.maxRssKb / 1024 / 150, target: 1, better: 'lower', pass: oursResult.maxRssKb / 1024 < 150 },
    ]

    const env = engineEnv(ctx)
    if (env !== undefined) {
      const dk = await mod.module.startRegistry('plain')
      registries.push(dk)
      const tag = `${dk.host}/bench/docker:latest`
      ctx.log('docker push (image loaded into the engine first, not timed)')
      // Through a docker-archive: skopeo's docker-daemon transport breaks against this engine (API 1.41).
      const archive = path.join(work, 'image.tar')
      await run('skopeo', ['copy', `oci:${layout}:latest`, `docker-archive:${archive}:${tag}`], { maxBuffer: 1 << 26 })
      await run('docker', ['load', '-i', archive], { env: { ...process.env, DOCKER_HOST: env }, maxBuffer: 1 << 26 })
      rmSync(archive, { force: true })
      try {
        const docker = await measureChild('docker', ['push', tag], { DOCKER_HOST: env })
        measurements.push(
          { label: 'docker push time', value: docker.seconds, unit: 's' },
          { label: 'docker push throughput (it gzips the layer first)', value: layerBytes / 2 ** 20 / docker.seconds, unit: 'MiB/s' },
        )
        ratios.push({ label: 'datapub throughput / docker push throughput', value: docker.seconds / oursResult.seconds, better: 'higher', pass: true })
      } finally {
        await run('docker', ['rmi', '-f', tag], { env: { ...process.env, DOCKER_HOST: env } }).catch(() => undefined)
      }
    } else {
      ctx.log('no engine (scripts/dev-env is not up): docker push not measured')
    }
    return { name: `push: one ${layerBytes / 2 ** 20} MiB layer to a loopback registry`, measurements, ratios }
  } finally {
    for (const r of registries) await r.stop()
    mod.cleanup()
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * An OCI layout with one gzip layer holding one file of random bytes (incompressible, like a
 * SQLite database), so no tool spends time recompressing and all push the same bytes.
 */
async function writeImageLayout(dir, size) {
  const blobs = path.join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  const temp = path.join(dir, 'layer.tmp')
  const diff = createHash('sha256')
  const digest = createHash('sha256')
  let layerSize = 0
  async function* tar() {
    const header = Buffer.alloc(512)
    header.write('data.bin', 0)
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(size.toString(8).padStart(11, '0') + '\0', 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const b of header) sum += b
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    yield header
    for (let left = size; left > 0; left -= 4 * 1024 * 1024) yield randomFillSync(Buffer.alloc(Math.min(left, 4 * 1024 * 1024)))
    yield Buffer.alloc((512 - (size % 512)) % 512)
    yield Buffer.alloc(1024)
  }
  const observe = (hash, count) => new Transform({ transform(chunk, _e, done) { hash.update(chunk); if (count) layerSize += chunk.length; done(null, chunk) } })
  await pipeline(Readable.from(tar()), observe(diff, false), createGzip({ level: 1 }), observe(digest, true), createWriteStream(temp))
  const diffId = `sha256:${diff.digest('hex')}`
  const layerDigest = `sha256:${digest.digest('hex')}`
  renameSync(temp, path.join(blobs, layerDigest.slice(7)))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created_by: 'bench' }] }))
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  writeFileSync(path.join(blobs, configDigest.slice(7)), config)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layerSize }],
  }))
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`
  writeFileSync(path.join(blobs, manifestDigest.slice(7)), manifest)
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }))
  return { layerDigest, layerSize, manifestDigest }
}

async function verifyPushed(host, repository, image, rewritten = false) {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${host}/${repository}:latest`])
  const manifest = JSON.parse(stdout)
  if (manifest.layers?.[0]?.digest !== image.layerDigest) throw new Error(`${repository}: the pushed layer is not the source layer`)
  if (!rewritten && createHash('sha256').update(stdout).digest('hex') !== image.manifestDigest.slice(7)) throw new Error(`${repository}: manifest digest differs`)
}

/** Runs a command; wall time, and its peak RSS sampled from /proc (VmHWM is itself a high-water mark). */
function measureChild(command, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(command, args, { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let peakKb = 0
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (m) peakKb = Math.max(peakKb, Number(m[1]))
      } catch {}
    }, 20)
    child.on('error', (e) => (clearInterval(timer), reject(e)))
    child.on('exit', (code) => {
      clearInterval(timer)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
      else resolve({ seconds, stdout, stderr, peakKb })
    })
  })
}

export function engineEnv(ctx) {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST
  try {
    const out = require_('child_process').execFileSync('bash', [path.join(ctx.root, 'scripts/dev-env'), 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return /^export DOCKER_HOST=['"]?([^'"\n]+)/m.exec(out)?.[1]
  } catch {
    return undefined
  }
}

import { createRequire } from 'node:module'
const require_ = createRequire(import.meta.url)

const CHILD = `
import { readFileSync } from 'node:fs'
import path from 'node:path'
const [bundle, layout, host, repository, tag] = process.argv.slice(2)
const m = await import(bundle)
const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8'))
const top = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag)
const blob = (digest) => path.join(layout, 'blobs', 'sha256', digest.slice(7))
const manifestBytes = readFileSync(blob(top.digest))
const manifest = JSON.parse(manifestBytes)
const started = process.hrtime.bigint()
const client = new m.RegistryClient({ registry: host })
const blobs = [manifest.config, ...manifest.layers].map((d) => ({ descriptor: d, source: () => m.blobFromKnownFile(blob(d.digest), d.digest, d.size) }))
const result = await m.pushImage(client, { repository, blobs, manifest: { bytes: manifestBytes, mediaType: manifest.mediaType }, tags: [tag] })
client.close()
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ seconds, bytesSent: result.bytesSent, maxRssKb: process.resourceUsage().maxRSS }))
`

/**
 * Bench entries run on plain node: bundle the TypeScript they need with esbuild (dependencies
 * external, resolved from packages/core), plus a child script for measurements in a clean process.
 */
export async function loadRegistryModule(root, extra = []) {
  const { build } = await import(pathToFileURL(path.join(root, 'node_modules/esbuild/lib/main.js')).href)
  const outdir = mkdtempSync(path.join(tmpdir(), 'datapub-bench-registry-'))
  const entry = path.join(outdir, 'entry.ts')
  const src = (p) => JSON.stringify(path.join(root, p))
  writeFileSync(entry, [
    `export { RegistryClient } from ${src('packages/core/src/registry/registry-client.ts')}`,
    `export { blobFromKnownFile } from ${src('packages/core/src/registry/blob-source.ts')}`,
    `export { pushImage } from ${src('packages/core/src/registry/push-image.ts')}`,
    `export { buildAppendImage } from ${src('packages/core/src/image/append/build-append-image.ts')}`,
    `export { pushAppendImage } from ${src('packages/core/src/image/append/push-append-image.ts')}`,
    `export { runtimeRecipe } from ${src('packages/core/src/image/append/runtime-recipe.ts')}`,
    `export { PRUNE_VENV_SCRIPT } from ${src('packages/core/src/image/prune-venv-script.ts')}`,
    `export * from ${src('packages/core/src/image/index.ts')}`,
    `export { connectEngine } from ${src('packages/core/src/image/connect-engine.ts')}`,
    ...(extra.includes('startRegistry') ? [`export { startRegistry } from ${src('test/helpers/registry/start-registry.ts')}`] : []),
  ].join('\n'))
  // Inside packages/core so the bundle's bare imports (tar-stream, dockerode) resolve from there.
  const bundle = path.join(root, 'packages/core', `.bench-registry-${process.pid}.mjs`)
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, packages: 'external', logLevel: 'error' })
  const childScript = path.join(outdir, 'push-child.mjs')
  writeFileSync(childScript, CHILD)
  const module = await import(pathToFileURL(bundle).href)
  return {
    module,
    bundle: pathToFileURL(bundle).href,
    childScript,
    cleanup() {
      rmSync(bundle, { force: true })
      rmSync(outdir, { recursive: true, force: true })
    },
  }
}
