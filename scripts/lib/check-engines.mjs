// Usage: node check-engines.mjs <project> <package>...
// Walks the installed dependency closure of the named packages and fails when a package's
// `engines.node` excludes the lowest Node the first package declares (its own `engines.node`).
// npm only warns (EBADENGINE) about the Node that runs it; this checks the floor we promise.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const [project, ...roots] = process.argv.slice(2)
// npm's own copy of semver: always there where npm is, whatever the project installed.
const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim()
const semver = createRequire(path.join(npmRoot, 'npm', 'package.json'))('semver')

const read = (dir) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
const locate = (from, name) => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (existsSync(path.join(candidate, 'package.json'))) return candidate
    if (dir === path.dirname(dir) || dir === path.dirname(project)) return undefined
  }
}

const first = locate(project, roots[0])
const floor = semver.minVersion(read(first).engines?.node ?? '*')?.version
if (floor === undefined) throw new Error(`${roots[0]} declares no engines.node`)

const seen = new Map()
const queue = roots.map((name) => locate(project, name))
while (queue.length > 0) {
  const dir = queue.pop()
  if (dir === undefined || seen.has(dir)) continue
  const pkg = read(dir)
  seen.set(dir, pkg)
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) queue.push(locate(dir, name))
}

const bad = [...seen.values()].filter((pkg) => pkg.engines?.node !== undefined && !semver.satisfies(floor, pkg.engines.node))
for (const pkg of bad) process.stderr.write(`${pkg.name}@${pkg.version} wants node ${pkg.engines.node}, datapub promises ${floor}\n`)
process.stderr.write(`engines: ${seen.size} installed packages checked against node ${floor}, ${bad.length} refuse it\n`)
process.exitCode = bad.length === 0 ? 0 : 1
