import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, destroyDeployment, listDeployments } from '@datapub/core'
import { createPublisherServer, type PublisherServer } from '../src/create-publisher-server.js'
import { followSse, queuePositions } from './follow-sse.js'
import { multipartBody } from './multipart-body.js'
import { DESKTOP, PHONE, fillAndPublish, type Page, inView, openPublisherPage, overflowsSideways, readResult, visibleText, waitForOutcome } from './publish-in-browser.js'
import { engineEnv } from '../../../test/helpers/engine-env.js'

// The publisher against the real local engine, driven by headless Chromium. Screenshots of each
// state, at desktop and phone widths, are kept in examples/publisher/test-results/.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const shot = (name: string) => path.join(root, 'examples/publisher/test-results', `${name}.png`)
const SENTINEL = 'sentinel-browser-heroku-key-93e1d7'
const MAX_RUNNING = 2
const HTTP_VISITORS = 5
let app: PublisherServer
let base: string
let work: string
let uploads: string
let env: Record<string, string | undefined>
const deployed = new Set<string>()
const local = () => ({ provider: 'local', container: createContainer({ Env: env }) })

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'publisher-browser-'))
  uploads = await mkdtemp(path.join(tmpdir(), 'publisher-uploads-'))
  // The server's env: the engine and image defaults, plus a host credential the page must never see.
  env = { PATH: process.env.PATH, HOME: work, DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels, HEROKU_API_KEY: SENTINEL }
  app = createPublisherServer({ env, tmpDir: uploads, maxRunningJobs: MAX_RUNNING })
  base = await app.listen()
})

/** Destroys the deployments and removes their images too (vfs keeps a full copy per layer). */
async function destroyAll(ids: Iterable<string>) {
  const engine = await connectEngine({ env })
  const images = new Set<string>()
  for (const id of ids) {
    for (const c of await engine.listContainers({ 'datapub.deployment': id }, true)) images.add(c.imageId)
    await destroyDeployment(local(), id).catch(() => undefined)
  }
  for (const image of images) await engine.removeImage(image).catch(() => undefined)
}

afterAll(async () => {
  if (env !== undefined) await destroyAll(deployed)
  await app?.close()
  await rm(work, { recursive: true, force: true })
  await rm(uploads, { recursive: true, force: true })
})

const jobDirs = async () => (await readdir(uploads)).filter((name) => name.startsWith('datapub-publisher-'))
const SETTING_NAMES = Object.keys({ DOCKER_HOST: 1, DATAPUB_BASE_IMAGE: 1, DATAPUB_RUNTIME_IMAGE: 1, DATAPUB_PIP_FIND_LINKS: 1, HEROKU_API_KEY: 1, VERCEL_TOKEN: 1, NOW_TOKEN: 1, GOOGLE_APPLICATION_CREDENTIALS: 1 })

/** Nothing a visitor reads needs Docker words, names a server setting or carries the secret. */
async function expectPlainPage(page: Page) {
  const visible = await visibleText(page)
  expect(visible).not.toMatch(/docker|container|image|registry/i)
  const html = await page.content()
  for (const name of SETTING_NAMES) expect(html).not.toContain(name)
  expect(html).not.toContain(SENTINEL)
}

describe('the publisher page in headless Chromium, on the local engine', () => {
  it('at phone width: plain form with settings behind Advanced, an error that leads with its message, and Cancel during a build', async () => {
    const browser = await openPublisherPage(base, PHONE)
    const { page } = browser
    try {
      expect(await overflowsSideways(page)).toBe(false)
      await page.getByLabel('Publish to').selectOption('local')
      expect(await page.locator('#provider option:checked').innerText()).toBe('This server')
      // Provider settings only behind "Advanced", in plain words, without setting names.
      await expect.poll(() => page.getByLabel('Health Timeout').isVisible()).toBe(false)
      await expectPlainPage(page)
      await browser.screenshot(shot('form-phone'))
      await page.getByText('Advanced settings').click()
      expect(await page.getByLabel('Health Timeout').isVisible()).toBe(true)
      expect(await page.locator('#provider-options').innerText()).toContain('The host name used in the link')
      await page.getByText('Advanced settings').click()

      // A file that is not a CSV: the message first, what to do next, the code last.
      const html = path.join(work, 'export.csv')
      await writeFile(html, '<!doctype html><html><body>not a table</body></html>\n')
      await fillAndPublish(page, { csvFile: html, provider: 'local' })
      expect(await waitForOutcome(page, 30_000)).toBe('failed')
      const errorText = await page.locator('#error').innerText()
      expect(errorText.split('\n').filter(Boolean)).toEqual(['Publishing failed', 'export.csv: the file is HTML or XML, not CSV.', 'Upload the CSV file itself.', "Error code for the server's operator: UPLOAD_NOT_CSV"])
      expect(await inView(page, '#error')).toBe(true)
      expect(await page.locator('#progress-section').isVisible()).toBe(false)
      expect(await page.getByRole('button', { name: 'Publish', exact: true }).isEnabled()).toBe(true)
      expect(await overflowsSideways(page)).toBe(false)
      await browser.screenshot(shot('error-phone'))

      // Cancel while the site is being built: nothing deployed, nothing left on the server.
      const before = new Set((await listDeployments(local())).map((d) => d.name))
      const csv = path.join(work, 'to-cancel.csv')
      await writeFile(csv, 'id,name\n1,cancel me\n')
      await fillAndPublish(page, { csvFile: csv, provider: 'local' })
      expect(await page.getByRole('button', { name: 'Publishing…' }).isDisabled()).toBe(true)
      await page.locator('#steps li[data-stage="build"]').waitFor({ state: 'visible', timeout: 60_000 })
      await page.getByRole('button', { name: 'Cancel' }).click()
      await page.getByRole('heading', { name: 'Publishing cancelled' }).waitFor({ timeout: 60_000 })
      expect(await page.locator('#error-message').innerText()).toBe('You cancelled the publish; nothing was put online.')
      expect(await page.locator('#steps li.stopped').innerText()).toBe('Building your site (stopped)')
      await page.getByRole('button', { name: 'Publish', exact: true }).waitFor({ state: 'visible' })
      expect(await page.getByRole('button', { name: 'Publish', exact: true }).isEnabled()).toBe(true)
      expect(await page.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(false)
      await browser.screenshot(shot('cancelled-phone'))
      await expect.poll(jobDirs, { timeout: 30_000 }).toEqual([])
      const after = (await listDeployments(local())).filter((d) => !before.has(d.name))
      expect(after).toEqual([])
      // Chromium logs the refused upload's 400 itself; nothing else may appear.
      expect(browser.consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)'])
    } finally {
      await browser.close()
    }
  })

  it(`queues visitors beyond ${MAX_RUNNING} publishes at a time, shows the place in line, then links to the table, its JSON and CSV`, async () => {
    // Five visitors through the API first: two publish, three wait.
    const visitors = await Promise.all(
      Array.from({ length: HTTP_VISITORS }, async (_, i) => {
        const { body, contentType } = multipartBody([
          { name: 'files', filename: 'counts.csv', value: `id,visitor\n1,${i + 1}\n2,${i + 1}\n` },
          { name: 'provider', value: 'local' },
        ])
        const response = await fetch(new URL('api/publish', base), { method: 'POST', body, headers: { 'content-type': contentType } })
        expect(response.status).toBe(202)
        return (await response.json()) as { id: string; events: string }
      }),
    )
    const streams = visitors.map((v) => followSse(new URL(v.events, base).href))

    // The browser visitor comes sixth and is told its place in line.
    const browser = await openPublisherPage(base, DESKTOP)
    const { page } = browser
    try {
      const rows = [
        { id: 1, species: 'robin', wingspan_cm: 21 },
        { id: 2, species: 'grey heron', wingspan_cm: 185 },
        { id: 3, species: `wren-${process.pid}`, wingspan_cm: 15 },
      ]
      const csvFile = path.join(work, 'garden-birds.csv')
      await writeFile(csvFile, `id,species,wingspan_cm\n${rows.map((r) => `${r.id},${r.species},${r.wingspan_cm}`).join('\n')}\n`)
      await fillAndPublish(page, { csvFile, provider: 'local', fields: { title: 'Garden birds', license: 'CC BY 4.0', source: 'A garden survey' } })
      const queue = page.locator('#queue-status')
      await queue.waitFor({ state: 'visible', timeout: 60_000 })
      expect(await queue.innerText()).toMatch(/Yours is number [2-4] in line and starts by itself/)
      expect(app.stats()).toMatchObject({ running: MAX_RUNNING, queued: HTTP_VISITORS + 1 - MAX_RUNNING })
      expect(await page.getByRole('button', { name: 'Publishing…' }).isDisabled()).toBe(true)
      expect(await page.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(true)
      await expectPlainPage(page)
      await browser.screenshot(shot('queued-desktop'))

      expect(await waitForOutcome(page, 10 * 60_000)).toBe('published')
      const result = await readResult(page)
      deployed.add(result.deploymentId)
      expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(result.deploymentId).toMatch(/^pub-[0-9a-f]{10}$/)
      expect(result.progressValue).toBe(100)
      expect(result.steps.join('\n')).toMatch(/Building your site \(\d+\.\d s\)/)
      expect(result.steps.join('\n')).toContain('garden-birds: 3 rows, 3 columns')
      // The result is scrolled into view, and Publish stays disabled: this one is done.
      expect(await inView(page, '#result')).toBe(true)
      expect(await page.getByRole('button', { name: 'Published' }).isDisabled()).toBe(true)
      expect(await page.getByRole('button', { name: 'Cancel' }).isVisible()).toBe(false)
      expect(await queue.isVisible()).toBe(false)
      await expectPlainPage(page)
      await browser.screenshot(shot('published-desktop'))
      await page.setViewportSize(PHONE)
      expect(await overflowsSideways(page)).toBe(false)
      await browser.screenshot(shot('published-phone'))

      // The links work: the table page, its JSON and its CSV, with the uploaded rows.
      expect(result.tables).toEqual([{ name: 'garden-birds', view: `${result.url}data/garden-birds`, json: `${result.url}data/garden-birds.json`, csv: `${result.url}data/garden-birds.csv` }])
      const table = result.tables[0]!
      expect(await (await fetch(table.view)).text()).toContain(`wren-${process.pid}`)
      // Real Datasette lists a rowid table's rowid first.
      expect(await (await fetch(`${table.json}?_shape=array`)).json()).toEqual(rows.map((row, i) => ({ rowid: i + 1, ...row })))
      expect((await (await fetch(table.csv)).text()).replace(/\r\n/g, '\n')).toBe(`rowid,id,species,wingspan_cm\n${rows.map((r, i) => `${i + 1},${r.id},${r.species},${r.wingspan_cm}`).join('\n')}\n`)
      expect(browser.consoleErrors).toEqual([])
    } finally {
      await browser.close()
    }

    // Every API visitor waited its turn and deployed its own data; never more than two at once.
    await Promise.all(streams.map((s) => s.ended))
    const waited = streams.map((s) => queuePositions(s.frames))
    expect(waited.filter((p) => p.length === 0)).toHaveLength(MAX_RUNNING)
    expect(waited.filter((p) => p.length > 0).map((p) => p[0]).sort()).toEqual([1, 2, 3])
    for (const [i, s] of streams.entries()) {
      const done = s.frames.find((f) => f.event === 'done')
      expect(done, `visitor ${i + 1}: ${s.frames.at(-2)?.data}`).toBeDefined()
      const { id, url } = JSON.parse(done!.data) as { id: string; url: string }
      deployed.add(id)
      expect(await (await fetch(new URL('data/counts.json?_shape=array', url))).json()).toEqual([{ rowid: 1, id: 1, visitor: i + 1 }, { rowid: 2, id: 2, visitor: i + 1 }])
    }
    expect(app.stats()).toMatchObject({ running: 0, queued: 0, peakRunning: MAX_RUNNING })
    await expect.poll(jobDirs).toEqual([])

    await destroyAll(deployed)
    const left = new Set((await listDeployments(local())).map((d) => d.name))
    for (const id of deployed) expect(left.has(id)).toBe(false)
    deployed.clear()
  })
})
