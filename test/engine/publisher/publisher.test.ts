import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, destroyDeployment, listDeployments } from '@datapub/core'
import { createPublisherServer, type PublisherServer } from '../../../examples/publisher/src/create-publisher-server.js'
import { publishInBrowser } from '../../../examples/publisher/test/publish-in-browser.js'
import { engineEnv } from '../../helpers/engine-env.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const SCREENSHOT = path.join(root, 'examples/publisher/test-results/finished.png')
const SENTINEL = 'sentinel-browser-heroku-key-93e1d7'
let app: PublisherServer
let base: string
let work: string
let env: Record<string, string | undefined>
const deployed: string[] = []

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'publisher-browser-'))
  // The server's env: the engine and image defaults, plus a host credential the page must never see.
  env = { PATH: process.env.PATH, HOME: work, DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels, HEROKU_API_KEY: SENTINEL }
  app = createPublisherServer({ env, tmpDir: work })
  base = await app.listen()
})

afterAll(async () => {
  const container = createContainer({ Env: env })
  for (const id of deployed) await destroyDeployment({ provider: 'local', container }, id).catch(() => undefined)
  await app?.close()
  await rm(work, { recursive: true, force: true })
})

describe('the publisher page in headless Chromium', () => {
  it('uploads a CSV, publishes to the local engine, links to a deployment that serves the rows', async () => {
    const rows = [
      { id: 1, species: 'robin', wingspan_cm: 21 },
      { id: 2, species: 'grey heron', wingspan_cm: 185 },
      { id: 3, species: `wren-${process.pid}`, wingspan_cm: 15 },
    ]
    const csvFile = path.join(work, 'garden-birds.csv')
    await writeFile(csvFile, `id,species,wingspan_cm\n${rows.map((r) => `${r.id},${r.species},${r.wingspan_cm}`).join('\n')}\n`)

    const result = await publishInBrowser({ baseUrl: base, csvFile, provider: 'local', fields: { title: 'Garden birds', license: 'CC BY 4.0', source: 'A garden survey' }, screenshot: SCREENSHOT, timeoutMs: 8 * 60_000 })
    deployed.push(result.deploymentId)

    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(result.deploymentId).toMatch(/^pub-[0-9a-f]{10}$/)
    expect(result.progressValue).toBe(100)
    expect(result.steps.join('\n')).toMatch(/Building the image[^\n]*\(\d+\.\d s\)/)
    expect(result.steps.join('\n')).toContain('table garden-birds: 3 rows, 3 columns')
    expect(result.consoleErrors).toEqual([])
    expect(result.pageText).not.toContain(SENTINEL)

    const response = await fetch(new URL('data/garden-birds.json?_shape=array', result.url))
    expect(response.status).toBe(200)
    // Real Datasette lists a rowid table's rowid first.
    expect(await response.json()).toEqual(rows.map((row, i) => ({ rowid: i + 1, ...row })))
    const listed = await listDeployments({ provider: 'local', container: createContainer({ Env: env }) })
    expect(listed.find((d) => d.name === result.deploymentId)?.url).toBe(result.url)
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000)

    await destroyDeployment({ provider: 'local', container: createContainer({ Env: env }) }, result.deploymentId)
    deployed.pop()
    const after = await listDeployments({ provider: 'local', container: createContainer({ Env: env }) })
    expect(after.some((d) => d.name === result.deploymentId)).toBe(false)
  })
})
