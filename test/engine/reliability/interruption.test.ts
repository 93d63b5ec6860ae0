import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, type ContainerEngine } from '@datapub/core'
import { engineEnv } from '../../helpers/engine-env.js'
import { faultSeeds, prng } from '../../helpers/fault-schedule.js'
import { runCliChild } from './run-cli-child.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const name = `intr-${process.pid}`
const SECRET = 'sentinel-interrupt-secret-61d0'
// Half the rounds aim at a stage (the deploy is where half-started containers come from), half at a random time.
const AIMS: Array<RegExp | undefined> = [undefined, /• Converting data/, /• Deploying/, undefined, /• Checking the deployment/, /• Deploying/, undefined, /• Writing the build context/]
const tally = { interrupts: 0, sigint: 0, sigkill: 0, byStage: {} as Record<string, number>, finishedBeforeSignal: 0, losses: 0 }
let work: string
let privateTmp: string
let engine: ContainerEngine
let env: Record<string, string>

beforeAll(async () => {
  // The child runs the built CLI: build it from the current sources first.
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), 'core', 'cli', 'local'], { stdio: 'ignore' })
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-interrupt-'))
  // Its own TMPDIR, so leftovers are the children's and nobody else's.
  privateTmp = path.join(work, 'tmp')
  await mkdir(privateTmp)
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, TMPDIR: privateTmp, DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels }
  engine = await connectEngine({ env: { DOCKER_HOST: e.dockerHost } })
})

afterAll(async () => {
  for (const c of (await engine?.listContainers({ 'datapub.deployment': name })) ?? []) await engine.removeContainer(c.id).catch(() => undefined)
  await rm(work, { recursive: true, force: true })
  console.info(`interruption: ${JSON.stringify(tally)}`)
})

async function rowsAt(url: string): Promise<string[]> {
  const response = await fetch(new URL('data/birds.json?_shape=array', url))
  return ((await response.json()) as Array<{ name: string }>).map((r) => r.name)
}

const leftovers = async () => (await readdir(privateTmp)).filter((n) => n.startsWith('datapub-'))
const lastStage = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('• ')).at(-1)?.slice(2) ?? 'startup'

describe('SIGINT and SIGKILL at random points of a local publish', () => {
  const [seed] = faultSeeds(1, 0x1d7)
  const random = prng(seed!)

  it(`seed ${seed}: every interrupted publish is cleaned up by itself (SIGINT) or by the next publish (SIGKILL)`, { timeout: 1_200_000 }, async () => {
    let serving: string[] | undefined
    for (const [round, aim] of AIMS.entries()) {
      const signal: NodeJS.Signals = round % 2 === 0 ? 'SIGINT' : 'SIGKILL'
      const afterMs = aim === undefined ? Math.round(300 + random() * 15_000) : Math.round(random() * 1500)
      const birds = Array.from({ length: round + 1 }, (_, i) => `bird${round}x${i}`)
      await writeFile(path.join(work, 'birds.csv'), `id,name\n${birds.map((b, i) => `${i},${b}`).join('\n')}\n`)
      const args = ['publish', 'local', 'birds.csv', '--name', name, '--secret', SECRET]
      const why = `seed ${seed}, round ${round}: ${signal} ${afterMs} ms after ${aim?.source ?? 'start'}`

      const killed = await runCliChild(args, { cwd: work, env, kill: { signal, afterMs, ...(aim === undefined ? {} : { whenStderr: aim }) } })
      const stage = lastStage(killed.stderr)
      tally.interrupts++
      tally[signal === 'SIGINT' ? 'sigint' : 'sigkill']++
      tally.byStage[stage] = (tally.byStage[stage] ?? 0) + 1
      let lost = true
      try {
        expect(killed.stderr, why).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
        if (killed.code === 0) tally.finishedBeforeSignal++
        if (signal === 'SIGINT') {
          expect([0, 130], `${why} (stage: ${stage})\n${killed.stderr}`).toContain(killed.code)
          if (killed.code === 130) expect(killed.stderr, why).toMatch(/^error ABORTED: /m)
          // SIGINT cleans up after itself: no work folder, no half-started container.
          expect(await leftovers(), why).toEqual([])
          const containers = await engine.listContainers({ 'datapub.deployment': name })
          expect(containers.length, why).toBeLessThanOrEqual(1)
          if (killed.code === 0) serving = birds
          if (serving !== undefined) expect(await rowsAt(killed.code === 0 ? killed.stdout.trim() : `http://127.0.0.1:${containers[0]!.hostPort}/`), why).toEqual(serving)
        } else {
          expect(killed.signal, why).toBe('SIGKILL')
        }

        // The next publish of the same name completes and cleans up what the interrupted one left.
        const next = await runCliChild(args, { cwd: work, env })
        expect(next.code, `${why}: the next publish\n${next.stderr}`).toBe(0)
        serving = birds
        expect(await rowsAt(next.stdout.trim()), why).toEqual(birds)
        const containers = await engine.listContainers({ 'datapub.deployment': name })
        expect(containers.map((c) => `${c.name} ${c.state}`), why).toHaveLength(1)
        expect(await leftovers(), why).toEqual([])
        lost = false
      } finally {
        if (lost) tally.losses++
      }
    }
  })
})
