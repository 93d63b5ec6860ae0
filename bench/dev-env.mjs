// The environment scripts/dev-env provides (engine, base images, real Datasette's wheelhouse or
// the stand-in wheel), for benches that build images: taken from the caller's environment, or
// from `dev-env up` (idempotent: about a second when everything is there).
import { execFileSync } from 'node:child_process'
import path from 'node:path'

export function devEnv(ctx) {
  const env = { ...process.env }
  if (!env.DOCKER_HOST || !env.DATAPUB_TEST_BASE_RUNTIME || !env.DATAPUB_DATASETTE_WHEELS) {
    const out = execFileSync('bash', [path.join(ctx.root, 'scripts/dev-env'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    for (const line of out.split('\n')) {
      const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
      if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1')
    }
  }
  for (const name of ['DOCKER_HOST', 'DATAPUB_TEST_BASE_BUILD', 'DATAPUB_TEST_BASE_RUNTIME', 'DATAPUB_DATASETTE_WHEELS']) {
    if (!env[name]) throw new Error(`${name} is not set: run eval "$(scripts/dev-env up)" first`)
  }
  return env
}
