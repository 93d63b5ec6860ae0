import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './free-port.js'
import { startTokenServer, type TokenServer } from './start-token-server.js'

const run = promisify(execFile)

export type RegistryAuthMode = 'plain' | 'htpasswd' | 'token'

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  mode: RegistryAuthMode
  /** The user the registry accepts (htpasswd and token modes). */
  username: string
  password: string
  /** Token mode: an OAuth2 refresh token for `username` (docker config "identitytoken"). */
  identityToken: string
  tokenServer?: TokenServer
  storage: string
  /** The registry's own log, for diagnosing a failed test. */
  logs(): string
  stop(): Promise<void>
}

/**
 * Starts Debian's docker-registry (distribution 2.8) on a free loopback port with its own
 * storage, in one of three auth configurations. Everything lives in a temp dir removed on stop.
 */
export async function startRegistry(mode: RegistryAuthMode = 'plain', account: { username?: string; password?: string; verify?: (user: string, password: string) => boolean } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'datapub-registry-'))
  const port = await freePort()
  // Hosts dictate the user (Heroku's is `_`); tests pass sentinel passwords to scan for leaks.
  const username = account.username ?? 'datapub'
  const password = account.password ?? `pw-${Math.random().toString(36).slice(2)}-secret`
  const identityToken = `refresh-${Math.random().toString(36).slice(2)}-token`
  let auth = ''
  let tokenServer: TokenServer | undefined
  if (mode === 'htpasswd') {
    const { stdout } = await run('htpasswd', ['-Bbn', username, password])
    await writeFile(path.join(dir, 'htpasswd'), stdout)
    auth = `auth:\n  htpasswd:\n    realm: datapub-test\n    path: ${path.join(dir, 'htpasswd')}\n`
  } else if (mode === 'token') {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=datapub-test-token'])
    const [keyPem, certPem] = await Promise.all([readFile(path.join(dir, 'key.pem'), 'utf8'), readFile(path.join(dir, 'cert.pem'), 'utf8')])
    tokenServer = await startTokenServer({ keyPem, certPem, users: { [username]: password }, refreshTokens: { [username]: identityToken }, ...(account.verify === undefined ? {} : { verify: account.verify }) })
    auth = `auth:\n  token:\n    realm: ${tokenServer.realm}\n    service: ${tokenServer.service}\n    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${path.join(dir, 'cert.pem')}\n`
  }
  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
${auth}`
  await writeFile(path.join(dir, 'config.yml'), config)
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-64 * 1024)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const host = `127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log}`)
    try {
      const response = await fetch(`http://${host}/v2/`)
      if (response.status === 200 || response.status === 401) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`docker-registry did not start: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    host,
    mode,
    username,
    password,
    identityToken,
    ...(tokenServer === undefined ? {} : { tokenServer }),
    storage: path.join(dir, 'data'),
    logs: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      await tokenServer?.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
