import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

// A CLI polling a host has nothing pending but the pause between polls: the process must wait
// for it, not exit with an unsettled top-level await (exit code 13) in the middle of a deploy.
it('keeps a process alive while it waits between polls (built kit)', () => {
  const script = "import { sleep, waitUntil } from '@datapub/core/kit'; await sleep(150); let n = 0; await waitUntil({ timeoutMs: 5000, minDelayMs: 100, maxDelayMs: 100, check: async () => (++n < 3 ? { done: false, reason: 'not yet' } : { done: true, value: n }) }); console.log('woke ' + n)"
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 })
  expect(run.stderr).toBe('')
  expect(run.stdout).toBe('woke 3\n')
  expect(run.status).toBe(0)
})
