#!/usr/bin/env node
// Builds every package to dist/ with esbuild (ESM, Node 20), then writes the CLI manifest that
// lets `datapub --help` answer without loading zod or a provider.
import { build } from 'esbuild'
import { readdir, readFile, writeFile, rm, access } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const packagesDir = path.join(root, 'packages')

const entriesOf = (pkg, dir) =>
  Object.entries(pkg.exports ?? {})
    .filter(([key, value]) => key !== './package.json' && typeof value === 'object' && value['@datapub/source'])
    .map(([, value]) => ({ in: path.join(dir, value['@datapub/source']), out: value.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '') }))

// `node scripts/build.mjs core cli` builds only those packages.
const only = process.argv.slice(2)
for (const name of (await readdir(packagesDir)).sort()) {
  if (only.length > 0 && !only.includes(name) && !only.includes(name.replace(/^provider-/, ''))) continue
  const dir = path.join(packagesDir, name)
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))
  const entryPoints = entriesOf(pkg, dir)
  // The CSV binder's worker thread is loaded by URL, not imported: it needs an entry of its own.
  if (name === 'core') entryPoints.push({ in: path.join(dir, 'src/data/csv-worker-thread.ts'), out: 'csv-worker-thread' })
  if (name === 'cli') entryPoints.push({ in: path.join(dir, 'src/main.ts'), out: 'main' }, { in: path.join(dir, 'src/compute-cli-manifest.ts'), out: 'compute-cli-manifest' })
  await rm(path.join(dir, 'dist'), { recursive: true, force: true })
  await build({
    entryPoints,
    outdir: path.join(dir, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies and sibling packages stay imports: one copy of core at run time.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    chunkNames: '_chunks-[name]-[hash]',
  })
  process.stderr.write(`built ${pkg.name}\n`)
}


const { computeCliManifest } = await import(pathToFileURL(path.join(packagesDir, 'cli/dist/compute-cli-manifest.js')).href).catch(() => ({}))
if (computeCliManifest === undefined) throw new Error('compute-cli-manifest entry missing from the CLI build')
await writeFile(path.join(packagesDir, 'cli/dist/cli-manifest.json'), `${JSON.stringify(await computeCliManifest(), null, 1)}\n`)
process.stderr.write('wrote packages/cli/dist/cli-manifest.json\n')
