import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

export interface BrowserPublishInput {
  /** The publisher's base URL. */
  baseUrl: string
  csvFile: string
  provider: string
  fields: { title: string; license: string; source: string }
  screenshot: string
  timeoutMs: number
  executablePath?: string
}

export interface BrowserPublishResult {
  url: string
  deploymentId: string
  /** Text of the progress list once finished. */
  steps: string[]
  progressValue: number
  pageText: string
  consoleErrors: string[]
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Drives the page as a person would in headless Chromium: picks the CSV, fills the metadata,
 * chooses the provider, presses Publish, waits for the final link, and screenshots the page.
 * Throws with the page's error box text when the publish fails.
 */
export async function publishInBrowser(input: BrowserPublishInput): Promise<BrowserPublishResult> {
  const profile = await mkdtemp(path.join(tmpdir(), 'publisher-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: input.executablePath ?? '/usr/bin/chromium', args: ARGS, headless: true, viewport: { width: 1000, height: 1100 } })
  const consoleErrors: string[] = []
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())))
    page.on('pageerror', (error) => consoleErrors.push(error.message))
    await page.goto(input.baseUrl)
    await page.locator(`#provider option[value="${input.provider}"]:not([disabled])`).waitFor({ state: 'attached' })
    await page.getByLabel('CSV or TSV files').setInputFiles(input.csvFile)
    await page.getByLabel('Title').fill(input.fields.title)
    await page.getByLabel('License', { exact: true }).fill(input.fields.license)
    await page.getByLabel('Source', { exact: true }).fill(input.fields.source)
    await page.getByLabel('Provider').selectOption(input.provider)
    await page.getByRole('button', { name: 'Publish' }).click()
    const link = page.locator('#result-link')
    const failure = page.locator('#error')
    await Promise.race([link.waitFor({ state: 'visible', timeout: input.timeoutMs }), failure.waitFor({ state: 'visible', timeout: input.timeoutMs })])
    await mkdir(path.dirname(input.screenshot), { recursive: true })
    await page.screenshot({ path: input.screenshot, fullPage: true })
    if (await failure.isVisible()) throw new Error(`The page shows a failed publish: ${await failure.innerText()}`)
    await page.getByRole('button', { name: 'Publish' }).waitFor({ state: 'visible' })
    return {
      url: (await link.getAttribute('href')) ?? '',
      deploymentId: (await link.getAttribute('data-deployment')) ?? '',
      steps: await page.locator('#steps > li').allInnerTexts(),
      progressValue: Number(await page.locator('#progress-bar').getAttribute('value')),
      pageText: await page.content(),
      consoleErrors,
    }
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
}
