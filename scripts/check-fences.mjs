#!/usr/bin/env node
// The architecture's fences, checked from the import statements of the tracked sources:
//   1. a provider's code (packages/provider-*, packages/registry-*, test/fixtures/plugins/*; its
//      tests may also use core's user API) imports of core only @datapub/core/kit, /testing, /errors;
//   2. a package's test imports no other package's src/ (other packages through their entries);
//   3. only test/helpers/http-mock.ts imports nock;
//   4. the static imports of packages/*/src form no cycle.
// `node scripts/check-fences.mjs` prints each breach and exits 1 when there is one.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/
const PROVIDER_ALLOWED = new Set(['@datapub/core/kit', '@datapub/core/testing', '@datapub/core/errors'])
const NOCK_HOME = 'test/helpers/http-mock.ts'

/** Every import-like specifier of a file: static imports and re-exports (with `type` marked), dynamic import(), require(). */
export function importsOf(text) {
  const found = []
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1')
  const staticRe = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g
  for (const m of code.matchAll(staticRe)) found.push({ specifier: m[3], kind: m[2] ? 'type' : 'static' })
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1], kind: 'dynamic' })
  for (const m of code.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1], kind: 'dynamic' })
  return found
}

/** The package directory (`packages/core`, `test/fixtures/plugins/x`) a repo path belongs to, if any. */
function packageOf(file) {
  const parts = file.split('/')
  if (parts[0] === 'packages' && parts.length > 2) return `packages/${parts[1]}`
  if (parts[0] === 'test' && parts[1] === 'fixtures' && parts[2] === 'plugins' && parts.length > 4) return parts.slice(0, 4).join('/')
  if (parts[0] === 'examples' && parts.length > 2) return `examples/${parts[1]}`
  return undefined
}

const isProvider = (pkg) => pkg !== undefined && (/^packages\/(provider|registry)-/.test(pkg) || pkg.startsWith('test/fixtures/plugins/'))

/** Resolves a relative specifier to a repo path of a source file (`.js` written for `.ts`, index files). */
function resolveRelative(root, from, specifier) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier))
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}/index.ts`, `${base}.js`]
  return candidates.find((c) => SOURCE.test(c) && existsSync(path.join(root, c)))
}

/**
 * Checks the fences over `files` (repo-relative paths) under `root`; answers every breach as a
 * sentence naming the file. `allow` lists known breaches (file + rule) that are reported apart.
 */
export function checkFences(root, files, allow = []) {
  const breaches = []
  const allowed = new Set(allow.map((a) => `${a.rule} ${a.file}`))
  const graph = new Map()
  const used = new Set()
  const breach = (rule, file, message) => {
    if (allowed.has(`${rule} ${file}`)) used.add(`${rule} ${file}`)
    else breaches.push({ rule, file, message })
  }
  for (const file of files) {
    if (!SOURCE.test(file) || file.includes('node_modules/') || file.split('/').includes('dist')) continue
    const text = readFileSync(path.join(root, file), 'utf8')
    const pkg = packageOf(file)
    const inTest = file.split('/').includes('test') || /\.test\.[mc]?[tj]s$/.test(file)
    const edges = []
    for (const { specifier, kind } of importsOf(text)) {
      if ((specifier === 'nock' || specifier.startsWith('nock/')) && file !== NOCK_HOME) {
        breach('nock', file, `${file} imports nock; only ${NOCK_HOME} may (use useHttpMock and its types).`)
      }
      if (isProvider(pkg) && !inTest && specifier.startsWith('@datapub/core') && !PROVIDER_ALLOWED.has(specifier)) {
        breach('provider', file, `${file} imports ${specifier}; a provider imports of core only ${[...PROVIDER_ALLOWED].join(', ')}.`)
      }
      if (!specifier.startsWith('.')) continue
      const target = resolveRelative(root, file, specifier)
      if (target === undefined) continue
      const targetPkg = packageOf(target)
      if (isProvider(pkg) && !inTest && targetPkg !== pkg && targetPkg?.startsWith('packages/')) {
        breach('provider', file, `${file} reaches into ${target}; a provider imports of core only ${[...PROVIDER_ALLOWED].join(', ')}.`)
      }
      if (inTest && /\/src\//.test(target) && targetPkg !== undefined && targetPkg !== pkg) {
        breach('test-src', file, `${file} imports ${target}, another package's src/; import that package through its entry.`)
      }
      if (kind !== 'dynamic' && /^packages\/[^/]+\/src\//.test(file) && /^packages\/[^/]+\/src\//.test(target)) edges.push(target)
    }
    if (/^packages\/[^/]+\/src\//.test(file)) graph.set(file, edges)
  }
  for (const cycle of cyclesOf(graph)) {
    breach('cycle', cycle[0], `import cycle: ${[...cycle, cycle[0]].join(' -> ')}`)
  }
  // A known exception that no longer happens must leave the list, so the list only shrinks.
  for (const key of allowed) {
    if (used.has(key)) continue
    const [rule, file] = key.split(' ')
    breaches.push({ rule: 'stale-exception', file, message: `${file} no longer breaks the ${rule} fence; remove it from scripts/fences-allow.json.` })
  }
  return breaches
}

/** Strongly connected components of more than one file (or a file importing itself), as Tarjan finds them. */
export function cyclesOf(graph) {
  let index = 0
  const stack = []
  const on = new Set()
  const meta = new Map()
  const cycles = []
  const visit = (node) => {
    meta.set(node, { index, low: index })
    index++
    stack.push(node)
    on.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (!meta.has(next)) {
        visit(next)
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).low)
      } else if (on.has(next)) meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).index)
    }
    if (meta.get(node).low === meta.get(node).index) {
      const component = []
      let top
      do {
        top = stack.pop()
        on.delete(top)
        component.push(top)
      } while (top !== node)
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort())
    }
  }
  for (const node of [...graph.keys()].sort()) if (!meta.has(node)) visit(node)
  return cycles
}

function trackedFiles(root) {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const allowFile = path.join(root, 'scripts', 'fences-allow.json')
  const allow = existsSync(allowFile) ? JSON.parse(readFileSync(allowFile, 'utf8')).allow : []
  const breaches = checkFences(root, trackedFiles(root), allow)
  for (const b of breaches) process.stderr.write(`fence ${b.rule}: ${b.message}\n`)
  if (breaches.length > 0) {
    process.stderr.write(`${breaches.length} fence breach(es)\n`)
    process.exit(1)
  }
  process.stdout.write(`fences hold (${allow.length} known exception(s) in scripts/fences-allow.json)\n`)
}
