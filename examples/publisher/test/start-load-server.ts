import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadServerStats } from './load-server.js'

export interface LoadServerLimits {
  tmpDir: string
  maxRunning: number
  maxQueued: number
  maxFileBytes: number
  maxTotalBytes: number
  idleMs: number
  uploadMs: number
}

export interface LoadServer {
  url: string
  child: ChildProcess
  stats(): Promise<LoadServerStats>
  /** Opens (or closes) the fake provider's gate, then answers with the stats. */
  gate(state: 'open' | 'close'): Promise<LoadServerStats>
  /** Runs a full garbage collection, then answers with the stats (what the server really holds). */
  collect(): Promise<LoadServerStats>
  stop(): Promise<void>
}

const here = path.dirname(fileURLToPath(import.meta.url))

/** Starts test/load-server.ts in its own Node process (TypeScript through tsx, workspace sources). */
export async function startLoadServer(limits: LoadServerLimits): Promise<LoadServer> {
  const child = fork(path.join(here, 'load-server.ts'), [], {
    cwd: path.join(here, '..'),
    execArgv: ['--conditions=@datapub/source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH,
      LOAD_TMP: limits.tmpDir,
      LOAD_MAX_RUNNING: String(limits.maxRunning),
      LOAD_MAX_QUEUED: String(limits.maxQueued),
      LOAD_MAX_FILE_BYTES: String(limits.maxFileBytes),
      LOAD_MAX_TOTAL_BYTES: String(limits.maxTotalBytes),
      LOAD_IDLE_MS: String(limits.idleMs),
      LOAD_UPLOAD_MS: String(limits.uploadMs),
    },
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the load server exited with ${code} before it listened`)))
    child.once('message', (message: { type: string; url: string }) => (message.type === 'ready' ? resolve(message.url) : reject(new Error(`unexpected ${message.type}`))))
  })
  // One question at a time: answers carry no id, so they must not cross.
  let chain: Promise<unknown> = Promise.resolve()
  const ask = (type: string): Promise<LoadServerStats> => {
    const answer = chain.catch(() => undefined).then(() => askNow(type))
    chain = answer
    return answer
  }
  const askNow = (type: string) =>
    new Promise<LoadServerStats>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('the load server is not running'))
      child.once('message', (message: { type: string; stats: LoadServerStats }) => resolve(message.stats))
      child.send({ type })
    })
  return {
    url,
    child,
    stats: () => ask('stats'),
    gate: (state) => ask(state),
    collect: () => ask('gc'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
