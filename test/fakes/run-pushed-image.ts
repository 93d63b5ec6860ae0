import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export interface RunningImage {
  url: string
  name: string
  /** Resolves true once the server answers `/-/databases.json`, false after the timeout. */
  healthy: Promise<boolean>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

/**
 * What an image host does with a pushed image: pulls it from the registry it was pushed to and runs
 * it with $PORT and the app's config as environment, on the shared engine (host network, a
 * container name unique to this test run). `docker pull` is an independent client: an image the
 * registry would not hand out fails here.
 */
export async function runPushedImage(ref: string, name: string, env: Record<string, string>, dockerHost: string): Promise<RunningImage> {
  const docker = (args: string[]) => exec('docker', args, { env: { ...process.env, DOCKER_HOST: dockerHost }, maxBuffer: 16 * 1024 * 1024 })
  await docker(['pull', '-q', ref])
  const port = await freePort()
  const envArgs = Object.entries({ ...env, PORT: String(port) }).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  await docker(['rm', '-f', name]).catch(() => undefined)
  await docker(['run', '-d', '--name', name, '--network', 'host', '--label', 'datapub.test=fidelity', ...envArgs, ref])
  const url = `http://127.0.0.1:${port}/`
  const healthy = (async () => {
    const deadline = Date.now() + 90_000
    while (Date.now() < deadline) {
      const ok = await fetch(`${url}-/databases.json`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)
      if (ok) return true
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    return false
  })()
  return { url, name, healthy, stop: async () => void (await docker(['rm', '-f', name]).catch(() => undefined)) }
}

/** The manifest digest of the image in `repository` whose config digest (Heroku's image id) is `configDigest`. */
export async function findByConfigDigest(registry: string, repository: string, configDigest: string): Promise<string | undefined> {
  const tags = (await (await fetch(`http://${registry}/v2/${repository}/tags/list`)).json()) as { tags?: string[] }
  for (const tag of tags.tags ?? []) {
    const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } })
    const manifest = (await response.json()) as { config?: { digest?: string } }
    if (manifest.config?.digest === configDigest) return response.headers.get('docker-content-digest') ?? undefined
  }
  return undefined
}
