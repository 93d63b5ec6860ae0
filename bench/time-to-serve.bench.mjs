// Time to serve: seconds from `docker run` of the published image to the first 200 on its table
// page, and the running container's memory (docker stats), for datapub's recipe against the image
// of the Dockerfile `datasette package` writes; same base, wheelhouse and data (bench/real-peers.mjs,
// the engine's build cache makes the images image-size built free here). Runs are interleaved.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { devEnv } from './dev-env.mjs'
import { loadImageModule } from './image-size.bench.mjs'
import { buildPeers } from './real-peers.mjs'

const run = promisify(execFile)

export default async function timeToServe(ctx) {
  const env = devEnv(ctx)
  const core = await loadImageModule(ctx.root)
  const work = mkdtempSync(path.join(tmpdir(), 'datapub-bench-serve-'))
  const docker = (...args) => run('docker', args, { env, maxBuffer: 1 << 24 })
  try {
    const engine = await core.connectEngine({ env })
    const peers = await buildPeers(ctx, core, engine, env, work, ['recipe', 'package'])
    const subjects = { recipe: peers.recipe.tag, 'datasette package': peers.package.tag }
    const runs = ctx.quick ? 1 : 5
    const seconds = { recipe: [], 'datasette package': [] }
    const memory = { recipe: [], 'datasette package': [] }
    for (let i = 0; i < runs; i++) {
      for (const [label, image] of Object.entries(subjects)) {
        const port = await freePort()
        const t0 = process.hrtime.bigint()
        const { stdout } = await docker('run', '-d', '--rm', '--network', 'host', '-e', `PORT=${port}`, image)
        const id = stdout.trim()
        try {
          await firstOk(`http://127.0.0.1:${port}/data/rows`, 60_000)
          seconds[label].push(Number(process.hrtime.bigint() - t0) / 1e9)
          const stats = (await docker('stats', '--no-stream', '--format', '{{.MemUsage}}', id)).stdout.trim()
          memory[label].push(parseMiB(stats.split('/')[0]))
        } finally {
          await docker('rm', '-f', id).catch(() => undefined)
        }
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const ratio = median(seconds.recipe) / median(seconds['datasette package'])
    ctx.log(`${runs} runs each, interleaved; medians`)
    return {
      name: `time to serve: \`docker run\` to the first 200 on the table page, recipe vs \`datasette package\` image (base ${peers.bases.label}, Datasette ${env.DATAPUB_DATASETTE_VERSION})`,
      measurements: [
        { label: 'recipe: docker run to first 200 on /data/rows', value: median(seconds.recipe), unit: 's' },
        { label: '`datasette package`: docker run to first 200', value: median(seconds['datasette package']), unit: 's' },
        { label: 'recipe: container memory after the first 200', value: median(memory.recipe), unit: 'MiB' },
        { label: '`datasette package`: container memory', value: median(memory['datasette package']), unit: 'MiB' },
      ],
      ratios: [
        { label: 'recipe start / `datasette package` start', value: ratio, target: 0.5, better: 'lower', pass: ratio <= 0.5 },
        { label: 'recipe memory / `datasette package` memory', value: median(memory.recipe) / median(memory['datasette package']), better: 'lower', pass: true },
      ],
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

async function firstOk(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = await fetch(url).then((r) => r.status, () => 0)
    if (status === 200) return
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last ${status})`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function parseMiB(text) {
  const m = /([\d.]+)\s*([KMG]i?B|B)/.exec(text.trim())
  if (!m) return NaN
  const scale = { B: 1 / 1048576, KiB: 1 / 1024, KB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 }[m[2]]
  return Number(m[1]) * scale
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}
