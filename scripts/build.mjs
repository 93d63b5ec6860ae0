#!/usr/bin/env node
// Builds every package to dist/ with esbuild (ESM, Node 20), emits each package's declarations
// with tsc (dist/*.d.ts, what a consumer compiles), then writes the CLI manifest that lets
// `datapub --help` answer without loading zod or a provider. `--no-types` skips declarations.
import { build } from 'esbuild'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
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
const noTypes = process.argv.includes('--no-types')
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
const built = []
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
  built.push(name)
}

// Declarations: a package resolves its siblings through their dist/*.d.ts, so core goes first,
// then the providers and the ECR package side by side, then the CLI that imports them.
const tsc = path.join(root, 'node_modules/typescript/bin/tsc')
const emitTypes = async (name) => {
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(packagesDir, name, 'tsconfig.build.json')], { cwd: root })
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`)
    throw new Error(`declarations of packages/${name} failed`)
  }
  process.stderr.write(`typed packages/${name}\n`)
}
if (!noTypes) {
  const stage = (names) => Promise.all(names.filter((name) => built.includes(name)).map(emitTypes))
  await stage(['core'])
  await stage(built.filter((name) => name !== 'core' && name !== 'cli'))
  await stage(['cli'])
}


const { computeCliManifest } = await import(pathToFileURL(path.join(packagesDir, 'cli/dist/compute-cli-manifest.js')).href).catch(() => ({}))
if (computeCliManifest === undefined) throw new Error('compute-cli-manifest entry missing from the CLI build')
await writeFile(path.join(packagesDir, 'cli/dist/cli-manifest.json'), `${JSON.stringify(await computeCliManifest(), null, 1)}\n`)
process.stderr.write('wrote packages/cli/dist/cli-manifest.json\n')
