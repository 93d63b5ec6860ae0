// CLI cold start: `datapub --version` and `datapub publish --help` against `node -e 0`,
// each run as a fresh process, interleaved so machine noise hits all three alike.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

export default async function coldStart({ quick, root, log }) {
  const bin = path.join(root, 'packages/cli/bin/datapub.mjs')
  if (!existsSync(path.join(root, 'packages/cli/dist/main.js'))) throw new Error('build first: pnpm build')
  const subjects = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'datapub --version': [process.execPath, [bin, '--version']],
    'datapub publish --help': [process.execPath, [bin, 'publish', '--help']],
  }
  const runs = quick ? 7 : 31
  const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [label, [cmd, args]] of Object.entries(subjects)) {
      const t0 = process.hrtime.bigint()
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}: ${r.stderr}`)
      times[label].push(ms)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const node = median(times['node -e 0'])
  log(`${runs} runs each, median wall time`)
  return {
    name: 'CLI cold start (median of fresh processes)',
    measurements: Object.entries(times).map(([label, xs]) => ({ label, value: median(xs), unit: 'ms' })),
    ratios: ['datapub --version', 'datapub publish --help'].map((label) => {
      const value = median(times[label]) / node
      return { label: `${label} / node -e 0`, value, target: 2, better: 'lower', pass: value <= 2 }
    }),
  }
}
