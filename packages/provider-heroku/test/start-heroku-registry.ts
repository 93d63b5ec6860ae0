import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../../test/helpers/registry/free-port.js'

const run = promisify(execFile)

export interface HerokuLikeRegistry {
  host: string
  logs(): string
  stop(): Promise<void>
}

/**
 * Debian's docker-registry with htpasswd auth for the user `_`, as registry.heroku.com takes it.
 * test/helpers/registry/start-registry.ts fixes its user to `datapub`, so this is the same
 * launcher with the user and password chosen by the caller.
 */
export async function startHerokuRegistry(password: string): Promise<HerokuLikeRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'datapub-heroku-registry-'))
  const port = await freePort()
  const { stdout } = await run('htpasswd', ['-Bbn', '_', password])
  await writeFile(path.join(dir, 'htpasswd'), stdout)
  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
http:
  addr: 127.0.0.1:${port}
auth:
  htpasswd:
    realm: heroku-test
    path: ${path.join(dir, 'htpasswd')}
`
  await writeFile(path.join(dir, 'config.yml'), config)
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (chunk: Buffer): void => void (log = (log + chunk.toString('utf8')).slice(-32 * 1024))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const host = `127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log}`)
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0)
    if (status === 401) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`docker-registry did not start: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    host,
    logs: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
