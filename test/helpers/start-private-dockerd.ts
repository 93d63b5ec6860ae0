import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { openSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface PrivateDockerd {
  /** `unix:///.../docker.sock` */
  host: string
  /** Stops the daemon the hard way (SIGKILL), as a crash or an OOM kill would. */
  kill(): Promise<void>
  /** Starts it again on the same socket and data root: what it had stored is there again. */
  restart(): Promise<void>
  /** Stops it and removes its data root. */
  remove(): Promise<void>
}

/**
 * A Docker engine of the test's own, to kill: its own socket, data root and exec root in a
 * temp dir, vfs storage, no iptables or bridge (as scripts/dev-env starts the shared one).
 * Root only. The shared engine is never touched.
 */
export async function startPrivateDockerd(): Promise<PrivateDockerd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'datapub-faults-dockerd-'))
  const sock = path.join(dir, 'docker.sock')
  const host = `unix://${sock}`
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const log = openSync(path.join(dir, 'dockerd.log'), 'a')
    child = spawn(
      'dockerd',
      ['--host', host, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'), '--storage-driver=vfs', '--iptables=false', '--ip-masq=false', '--bridge=none'],
      { stdio: ['ignore', log, log], detached: true },
    )
    child.unref()
    for (let waited = 0; ; waited += 250) {
      if (await answers(host)) return
      if (child.exitCode !== null) throw new Error(`private dockerd exited with ${child.exitCode} during start-up:\n${(await readFile(path.join(dir, 'dockerd.log'), 'utf8')).split('\n').slice(-8).join('\n')}`)
      if (waited > 60_000) throw new Error('private dockerd did not answer within 60 s')
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    c.kill(signal)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))])
  }
  await start()
  return {
    host,
    kill: () => stopChild('SIGKILL'),
    async restart() {
      await stopChild('SIGKILL')
      // After a kill mid-build, dockerd may give up waiting for its containerd on a busy machine; try again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await start()
        } catch (error) {
          if (attempt >= 3) throw error
          await new Promise((r) => setTimeout(r, 3000))
        }
      }
    },
    async remove() {
      await stopChild('SIGTERM')
      await stopChild('SIGKILL')
      // The containerd this dockerd started outlives a SIGKILL of dockerd: end it by the pid it recorded.
      const pid = Number((await readFile(path.join(dir, 'exec', 'containerd', 'containerd.pid'), 'utf8').catch(() => '')).trim())
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          // already gone
        }
        await new Promise((r) => setTimeout(r, 1000))
      }
      // dockerd bind-mounts its data root onto itself and mounts a netns under its exec root; a
      // killed one leaves them behind. Unmount everything under the temp dir, deepest first.
      const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${dir}/`))
      for (const mount of mounts.sort().reverse()) await run('umount', [mount]).catch(() => undefined)
      await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    },
  }
}

async function answers(host: string): Promise<boolean> {
  try {
    await run('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}'], { timeout: 5000 })
    return true
  } catch {
    return false
  }
}
