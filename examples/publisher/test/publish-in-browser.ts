import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const DESKTOP = { width: 1000, height: 1000 }
export const PHONE = { width: 390, height: 844 }

export interface PublisherPage {
  page: Page
  /** Console errors and uncaught page errors seen so far. */
  consoleErrors: string[]
  screenshot(file: string): Promise<void>
  close(): Promise<void>
}

export interface PublishForm {
  csvFile: string
  provider: string
  fields?: { title?: string; license?: string; source?: string }
}

export interface PageResult {
  url: string
  deploymentId: string
  /** Each table's links, as the page shows them. */
  tables: Array<{ name: string; view: string; json: string; csv: string }>
  steps: string[]
  progressValue: number
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Opens the publisher in headless Chromium (Debian's /usr/bin/chromium) at the given window size. */
export async function openPublisherPage(baseUrl: string, viewport: { width: number; height: number }, executablePath = '/usr/bin/chromium'): Promise<PublisherPage> {
  const profile = await mkdtemp(path.join(tmpdir(), 'publisher-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, args: ARGS, headless: true, viewport, isMobile: viewport.width < 600, hasTouch: viewport.width < 600 })
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
  const consoleErrors: string[] = []
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())))
  page.on('pageerror', (error) => consoleErrors.push(error.message))
  await page.goto(baseUrl)
  await page.locator('#provider option').first().waitFor({ state: 'attached' })
  return {
    page,
    consoleErrors,
    screenshot: async (file) => {
      await mkdir(path.dirname(file), { recursive: true })
      await page.screenshot({ path: file, fullPage: true })
    },
    close: async () => {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/** Fills the form as a person would and presses Publish. */
export async function fillAndPublish(page: Page, form: PublishForm): Promise<void> {
  await page.locator(`#provider option[value="${form.provider}"]:not([disabled])`).waitFor({ state: 'attached' })
  await page.getByLabel('CSV files').setInputFiles(form.csvFile)
  if (form.fields?.title !== undefined) await page.getByLabel('Title').fill(form.fields.title)
  if (form.fields?.license !== undefined) await page.getByLabel('License', { exact: true }).fill(form.fields.license)
  if (form.fields?.source !== undefined) await page.getByLabel('Source', { exact: true }).fill(form.fields.source)
  await page.getByLabel('Publish to').selectOption(form.provider)
  await page.getByRole('button', { name: 'Publish', exact: true }).click()
}

/** Waits until the page shows the published result or the failure box; says which. */
export async function waitForOutcome(page: Page, timeoutMs: number): Promise<'published' | 'failed'> {
  const result = page.locator('#result')
  const failure = page.locator('#error')
  await Promise.race([result.waitFor({ state: 'visible', timeout: timeoutMs }), failure.waitFor({ state: 'visible', timeout: timeoutMs })])
  return (await result.isVisible()) ? 'published' : 'failed'
}

/** What the result box offers: the site link and, per table, its view, JSON and CSV links. */
export async function readResult(page: Page): Promise<PageResult> {
  const link = page.locator('#result-link')
  const tables = await page.locator('#result-tables > li').evaluateAll((items) =>
    items.map((li) => {
      const links = [...li.querySelectorAll('a')].map((a) => a.href)
      return { name: li.querySelector('.table-name')?.textContent ?? '', view: links[0] ?? '', json: links[1] ?? '', csv: links[2] ?? '' }
    }),
  )
  return {
    url: (await link.getAttribute('href')) ?? '',
    deploymentId: (await link.getAttribute('data-deployment')) ?? '',
    tables,
    steps: await page.locator('#steps > li').allInnerTexts(),
    progressValue: Number(await page.locator('#progress-bar').getAttribute('value')),
  }
}

/** The text a visitor can see right now (closed "Advanced" settings excluded). */
export const visibleText = (page: Page): Promise<string> => page.locator('body').innerText()

/** Whether the element's top edge is within the window. */
export const inView = async (page: Page, selector: string): Promise<boolean> => {
  const box = await page.locator(selector).boundingBox()
  const viewport = page.viewportSize()
  // boundingBox() is relative to the main frame's viewport.
  return box !== null && viewport !== null && box.y >= 0 && box.y < viewport.height
}

/** Whether the page is wider than the window (a phone would have to scroll sideways). */
export const overflowsSideways = (page: Page): Promise<boolean> => page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')

export type { Page } from 'playwright-core'
