import { DatapubError } from '../errors/datapub-error.js'
import { redactText } from '../http/redact.js'
import type { ContainerEngine } from '../contract/container-engine.js'

export interface ConnectEngineOptions {
  env?: Readonly<Record<string, string | undefined>>
  /** Milliseconds to wait for the first answer. */
  timeoutMs?: number
}

/**
 * Connects to the Docker engine named by DOCKER_HOST (unix, tcp, ssh) or the default socket,
 * and pings it. dockerode loads only here, so commands that never touch an engine never pay for it.
 */
export async function connectEngine(options: ConnectEngineOptions = {}): Promise<ContainerEngine> {
  const env = options.env ?? process.env
  const host = env.DOCKER_HOST?.trim() || 'unix:///var/run/docker.sock'
  const { createDockerodeEngine } = await import('./dockerode-engine.js')
  const engine = createDockerodeEngine(host, env)
  try {
    await withTimeout(engine.ping(), options.timeoutMs ?? 10_000)
  } catch (error) {
    throw new DatapubError('ENGINE_UNREACHABLE', `No Docker engine answers at ${redactText(host)}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Start Docker (e.g. `sudo systemctl start docker`), set DOCKER_HOST to a running engine (unix://, tcp:// or ssh://), or as root run `scripts/dev-env up` from the datapub repository, which starts a private engine and prints DOCKER_HOST.',
      details: { dockerHost: redactText(host) },
    })
  }
  return engine
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    )
  })
}
