import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The engine tier needs a Docker engine, the Debian-built base images and real Datasette's wheelhouse
 * (the stand-in wheel where no package index answers).
 * `scripts/dev-env up` provides them (idempotent); its exports are copied into this process's
 * environment before the workers start, so every engine test sees the same engine.
 */
export default function setup(): void {
  if (process.env.DATAPUB_TEST_BASE_RUNTIME && process.env.DOCKER_HOST && process.env.DATAPUB_DATASETTE_WHEELS) return
  let output: string
  try {
    output = execFileSync('bash', [path.join(root, 'scripts/dev-env'), 'up', '--registry'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 })
  } catch (error) {
    throw new Error(`The engine tier needs a Docker engine and base images; \`scripts/dev-env up --registry\` failed: ${(error as Error).message}`)
  }
  for (const line of output.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (match?.[1] && match[2] !== undefined) process.env[match[1]] = match[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1')
  }
}
