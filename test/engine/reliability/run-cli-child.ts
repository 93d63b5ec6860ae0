import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const DATAPUB_BIN = path.join(root, 'packages/cli/bin/datapub.mjs')

export interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs the built CLI as a child process (the way users run it), optionally sending `kill.signal`
 * after `kill.afterMs` (counted from the first stderr match of `kill.whenStderr` when given). Resolves when the process has exited.
 */
export function runCliChild(args: string[], options: { cwd: string; env: Record<string, string>; kill?: { signal: NodeJS.Signals; afterMs: number; whenStderr?: RegExp }; timeoutMs?: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DATAPUB_BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    let killer: NodeJS.Timeout | undefined
    const arm = () => (killer ??= setTimeout(() => child.kill(options.kill!.signal), options.kill!.afterMs))
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      // A stage-aimed kill starts its delay when the stage's line appears.
      if (options.kill?.whenStderr?.test(stderr)) arm()
    })
    if (options.kill !== undefined && options.kill.whenStderr === undefined) arm()
    const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      clearTimeout(guard)
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }))
    })
  })
}
