import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, publish, type ContainerEngine, type ServiceOverrides } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'

const DISTINCT = 20
const SAME = 5
const tag = process.pid.toString(36)
const sameName = `conc-same-${tag}`
const distinctNames = Array.from({ length: DISTINCT }, (_, i) => `conc-${tag}-${i}`)
const tally = { publishes: 0, distinctOk: 0, sameOk: 0, sameSuperseded: 0, supersededCodes: [] as string[], losses: 0, seconds: 0 }
let work: string
let services: ServiceOverrides
let engine: ContainerEngine

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-concurrency-'))
  services = { Env: { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels } }
  engine = await connectEngine({ env: { DOCKER_HOST: e.dockerHost } })
})

afterAll(async () => {
  const images = new Set<string>()
  for (const name of [...distinctNames, sameName]) {
    for (const c of (await engine?.listContainers({ 'datapub.deployment': name })) ?? []) images.add(c.imageId)
    await destroyDeployment({ provider: 'local', services }, name).catch(() => undefined)
  }
  // vfs keeps a full copy per layer: give the disk back.
  for (const image of images) await engine.removeImage(image).catch(() => undefined)
  await rm(work, { recursive: true, force: true })
  console.info(`concurrency: ${JSON.stringify(tally)}`)
})

/** Each publish gets its own CSV, so the data a URL serves says which publish it came from. */
async function publishOne(name: string, label: string) {
  const file = path.join(work, `${label}.csv`)
  await writeFile(file, `id,name\n1,${label}\n`)
  const run = await recordEvents(publish({ provider: 'local', files: [file], options: { name, secret: `sentinel-conc-${label}` }, cwd: work, container: createContainer(services) }))
  tally.publishes++
  return { label, run, deployment: run.result?.kind === 'deployed' ? run.result.deployment : undefined }
}

async function served(url: string): Promise<string[]> {
  const table = (await (await fetch(new URL('data.json', url))).json()) as { tables?: Array<{ name: string }> }
  const name = table.tables?.[0]?.name
  const rows = (await (await fetch(new URL(`data/${name}.json?_shape=array`, url))).json()) as Array<{ name: string }>
  return rows.map((r) => r.name)
}

describe('concurrent publishes to the local engine', () => {
  it(`${DISTINCT} publishes under different names and ${SAME} to one name, all at once`, { timeout: 1_500_000 }, async () => {
    const started = Date.now()
    const [distinct, same] = await Promise.all([
      Promise.all(distinctNames.map((name, i) => publishOne(name, `distinct${i}`))),
      Promise.all(Array.from({ length: SAME }, (_, i) => publishOne(sameName, `same${i}`))),
    ])
    tally.seconds = Math.round((Date.now() - started) / 1000)

    // Different names: every one deployed, and every URL serves its own data.
    for (const { label, run, deployment } of distinct) {
      expect(run.error?.toJSON(), label).toBeUndefined()
      expect(await served(deployment!.url), label).toEqual([label])
      tally.distinctOk++
    }
    const urls = distinct.map((d) => d.deployment!.url)
    expect(new Set(urls).size).toBe(DISTINCT)
    for (const name of distinctNames) expect(await engine.listContainers({ 'datapub.deployment': name }), name).toHaveLength(1)

    // One name: exactly one container is left, it is one a successful publish started, and it is the newest of those.
    const survivors = await engine.listContainers({ 'datapub.deployment': sameName })
    expect(survivors.map((c) => `${c.name} ${c.state}`)).toHaveLength(1)
    const survivor = survivors[0]!
    const winners = same.filter((s) => s.deployment !== undefined)
    expect(winners.length).toBeGreaterThanOrEqual(1)
    const winner = winners.find((s) => s.deployment!.containerId === survivor.id)
    expect(winner, `survivor ${survivor.name} belongs to no successful publish`).toBeDefined()
    expect(await served(winner!.deployment!.url)).toEqual([winner!.label])
    for (const s of same) {
      if (s.deployment !== undefined) tally.sameOk++
      else {
        // A publish that a newer one replaced before it was verified says so (DEPLOY_SUPERSEDED), not "the host failed".
        expect(s.run.error?.toJSON(), s.label).toMatchObject({ code: expect.stringMatching(/^(DEPLOY_SUPERSEDED|LOCAL_CONTAINER_UNHEALTHY)$/), fault: 'user' })
        tally.sameSuperseded++
        tally.supersededCodes.push(s.run.error!.code)
      }
    }
  })
})
