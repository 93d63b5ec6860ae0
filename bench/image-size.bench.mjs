// Image size: datapub's multi-stage recipe (default: minimal runtime, FROM scratch) against the
// Dockerfile real Datasette writes (`datasette package`), the headline peer, and a naive
// single-stage build; same base, wheelhouse and data (bench/real-peers.mjs). Needs `scripts/dev-env up`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { devEnv } from './dev-env.mjs'
import { buildPeers } from './real-peers.mjs'
import { pathToFileURL } from 'node:url'

export default async function imageSize(ctx) {
  const env = devEnv(ctx)
  const core = await loadImageModule(ctx.root)
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-image-'))
  try {
    const engine = await core.connectEngine({ env })
    const peers = await buildPeers(ctx, core, engine, env, work)
    ctx.log(`data: ${peers.rows} rows, ${(peers.dbBytes / 1e6).toFixed(2)} MB; Datasette: ${env.DATAPUB_DATASETTE_KIND} ${env.DATAPUB_DATASETTE_VERSION}`)
    const baseLayers = (await engine.inspectImage(peers.bases.build)).layers
    const r = await core.analyzeImage({ engine, ref: peers.recipe.tag }, { baseDiffIds: (await engine.inspectImage(peers.bases.runtime)).layers })
    const p = await core.analyzeImage({ engine, ref: peers.package.tag }, { baseDiffIds: baseLayers })
    const n = await core.analyzeImage({ engine, ref: peers.naive.tag }, { baseDiffIds: baseLayers })
    const baseBytes = (await core.analyzeImage({ engine, ref: peers.bases.runtime })).totalBytes
    const ratio = p.totalBytes / r.totalBytes
    const above = (report) => report.layers.filter((l) => !l.base).reduce((a, l) => a + l.bytes, 0) / 1e6
    return {
      name: `image size: datapub's recipe vs the Dockerfile \`datasette package\` writes, and vs a naive build (base ${peers.bases.label}, Datasette ${env.DATAPUB_DATASETTE_VERSION}, same wheelhouse and data)`,
      measurements: [
        { label: 'recipe image size', value: r.totalBytes / 1e6, unit: 'MB' },
        { label: 'recipe image size, gzip', value: r.compressedBytes / 1e6, unit: 'MB' },
        { label: '`datasette package` image size', value: p.totalBytes / 1e6, unit: 'MB' },
        { label: '`datasette package` image size, gzip', value: p.compressedBytes / 1e6, unit: 'MB' },
        { label: '`datasette package` bytes above the base', value: above(p), unit: 'MB' },
        { label: `naive image size${peers.naive.compilers ? ' (with gcc, python3-dev)' : ' (no compilers: mirror unreachable)'}`, value: n.totalBytes / 1e6, unit: 'MB' },
        { label: 'naive image size, gzip', value: n.compressedBytes / 1e6, unit: 'MB' },
        { label: 'recipe wasted bytes (dive)', value: r.wastedBytes / 1e6, unit: 'MB' },
        { label: 'recipe efficiency (dive)', value: r.efficiency, unit: '' },
        { label: 'recipe prunable files (whole image: no base layers)', value: r.prunable.files, unit: 'files' },
        { label: '`datasette package` prunable files above the base', value: p.prunable.files, unit: `files (${(p.prunable.bytes / 1e6).toFixed(1)} MB)` },
        { label: 'recipe: interpreter, stdlib, libraries, /bin/sh (assemble stage)', value: layerBytes(r, /--from=assemble|COPY dir:\S+ in \/ *$|COPY \/rootfs \//) / 1e6, unit: 'MB' },
        { label: 'recipe: venv (Datasette and its dependencies)', value: layerBytes(r, /\/opt\/datasette/) / 1e6, unit: 'MB' },
        { label: 'recipe: app (databases, metadata, inspect file)', value: layerBytes(r, /\/app\//) / 1e6, unit: 'MB' },
        { label: 'recipe bytes from the runtime base image', value: r.layers.filter((l) => l.base).reduce((a, l) => a + l.bytes, 0) / 1e6, unit: 'MB (0: FROM scratch)' },
        { label: 'base image (what --runtime base and the peers start from)', value: baseBytes / 1e6, unit: 'MB' },
      ],
      ratios: [
        { label: '`datasette package` size / recipe size', value: ratio, target: 4, better: 'higher', pass: ratio >= 4 },
        { label: '`datasette package` gzip / recipe gzip', value: p.compressedBytes / r.compressedBytes, better: 'higher', pass: true },
        { label: 'naive size / recipe size', value: n.totalBytes / r.totalBytes, better: 'higher', pass: true },
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

/** The bench runs plain node: bundle core's image module (TypeScript) once with esbuild, dependencies external. */
export async function loadImageModule(root) {
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
