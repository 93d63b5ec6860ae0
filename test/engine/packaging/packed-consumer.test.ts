import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

// In the engine tier: it installs from the npm registry and compiles better-sqlite3 (1–3 min).
it('installs the packed tarballs in a fresh project, typechecks a strict consumer, runs it and the CLI', () => {
  const run = spawnSync('bash', [path.join(root, 'scripts/test-packed-consumer.sh')], { cwd: root, encoding: 'utf8', timeout: 900_000 })
  const output = `${run.stdout}\n${run.stderr}`
  expect(run.status, output).toBe(0)
  expect(output).toContain('consumer ok: collect data context deploy verify')
  expect(output).toMatch(/engines: \d+ installed packages checked against node 20\.18\.0, 0 refuse it/)
  expect(output).toContain('packed consumer ok (datapub 0.1.0)')
}, 900_000)
