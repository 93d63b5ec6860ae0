// Library import cost: a whole process that imports @datapub/core (its package entry, as a
// publisher app would) against `node -e 0`, each a fresh process, interleaved so machine noise
// hits both alike. Heavy dependencies (zod, axios, tsyringe, better-sqlite3, dockerode, yaml,
// tar-stream, Google and AWS SDKs) must load on first use, not on import. Target: at most 2x.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

export default async function importCost({ quick, root, log }) {
  if (!existsSync(path.join(root, 'packages/core/dist/index.js'))) throw new Error('build first: pnpm build')
  const subjects = {
    'node -e 0': ['-e', '0'],
    "import('@datapub/core')": ['-e', "import('@datapub/core')"],
    "import('@datapub/core/kit')": ['-e', "import('@datapub/core/kit')"],
  }
  const runs = quick ? 7 : 31
  const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [label, args] of Object.entries(subjects)) {
      const t0 = process.hrtime.bigint()
      // From the workspace root, where @datapub/core resolves to packages/core/dist.
      const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr}`)
      times[label].push(ms)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const node = median(times['node -e 0'])
  log(`${runs} runs each, median wall time`)
  const ratio = (label, target) => {
    const value = median(times[label]) / node
    return { label: `${label} / node -e 0`, value, target, better: 'lower', pass: value <= target }
  }
  return {
    name: 'Library import cost (median of fresh processes)',
    measurements: Object.entries(times).map(([label, xs]) => ({ label, value: median(xs), unit: 'ms' })),
    // The kit carries zod for provider schemas: its time is reported above, not held to the target.
    ratios: [ratio("import('@datapub/core')", 2)],
  }
}
