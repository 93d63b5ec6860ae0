import { DatapubError, waitUntil, type Emit, type WaitTimeout } from '@datapub/core/kit'
import type { HerokuApi } from './heroku-api.js'
import type { HerokuDyno, HerokuRelease } from './heroku-types.js'
import { latestRelease } from './latest-release.js'
import { BOOT_TIMEOUT_MS } from './limits.js'

export interface WaitOptions {
  timeoutMs: number
  intervalMs: number
  signal: AbortSignal
  emit: Emit
}

/** Waits for a release newer than `afterVersion` to appear (a formation PATCH creates it asynchronously). */
export async function waitForNewRelease(api: HerokuApi, app: string, afterVersion: number, options: WaitOptions): Promise<HerokuRelease> {
  return waitUntil({
    ...pacing(app, options),
    check: async ({ signal }) => {
      const latest = await latestRelease(api, app, signal)
      return latest !== undefined && latest.version > afterVersion ? { done: true, value: latest } : { done: false, reason: `no new release appeared after v${afterVersion}` }
    },
  })
}

/**
 * Polls the release until it succeeds, then the web dynos until every one on this release (or a
 * later one) is up. A crashed dyno fails fast: on a fresh release that is nearly always R10, the
 * server not binding $PORT within the boot timeout.
 */
export async function waitForRelease(api: HerokuApi, app: string, release: HerokuRelease, options: WaitOptions): Promise<HerokuRelease> {
  const path = `/apps/${encodeURIComponent(app)}`
  const current = await waitUntil({
    ...pacing(app, options),
    check: async ({ attempt, signal }) => {
      const seen = attempt === 1 ? release : await api.get<HerokuRelease>(`${path}/releases/${encodeURIComponent(release.id)}`, { signal })
      return seen.status === 'pending' ? { done: false, reason: `release v${seen.version} is still pending` } : { done: true, value: seen }
    },
  })
  if (current.status !== 'succeeded') {
    throw new DatapubError('HEROKU_RELEASE_FAILED', `Heroku release v${current.version} of ${app} ${current.status}${current.description ? ` (${current.description})` : ''}.`, {
      fault: 'user',
      provider: 'heroku',
      hint: `See \`heroku releases:output ${current.version} -a ${app}\` and \`heroku logs -a ${app}\`; the previous release keeps serving.`,
      details: { release: current.id, version: current.version, status: current.status },
    })
  }
  options.emit({ type: 'deploy:status', state: 'released', message: `release v${current.version} succeeded; waiting for web dynos` })
  let last = ''
  await waitUntil({
    ...pacing(app, options),
    check: async ({ signal }) => {
      const dynos = (await api.get<HerokuDyno[]>(`${path}/dynos`, { signal })).filter((d) => d.type === 'web' && (d.release?.version ?? current.version) >= current.version)
      const crashed = dynos.find((d) => d.state === 'crashed')
      if (crashed !== undefined) throw dynoCrashed(app, crashed, current)
      const summary = dynos.map((d) => `${d.name} ${d.state}`).join(', ')
      if (summary !== last) options.emit({ type: 'deploy:status', state: 'dynos', message: summary === '' ? 'no web dyno on the new release yet' : summary })
      last = summary
      // Eco dynos may already be asleep (idle) when we look; the verify stage wakes them.
      if (dynos.length > 0 && dynos.every((d) => d.state === 'up' || d.state === 'idle')) return { done: true, value: undefined }
      return { done: false, reason: `web dynos not up (${summary || 'none started'})` }
    },
  })
  return current
}

/** The poll cadence and timeout error every Heroku wait shares. */
export function pacing(app: string, options: WaitOptions): { timeoutMs: number; minDelayMs: number; maxDelayMs: number; signal: AbortSignal; timeout: WaitTimeout } {
  return {
    timeoutMs: options.timeoutMs,
    minDelayMs: options.intervalMs,
    maxDelayMs: Math.max(options.intervalMs, 5000),
    signal: options.signal,
    timeout: { code: 'HEROKU_DEPLOY_TIMEOUT', message: `Gave up waiting on ${app}`, fault: 'host', provider: 'heroku', hint: `Raise --release-timeout, or watch \`heroku logs -a ${app} --tail\`.` },
  }
}

function dynoCrashed(app: string, dyno: HerokuDyno, release: HerokuRelease): DatapubError {
  return new DatapubError('HEROKU_DYNO_CRASHED', `Web dyno ${dyno.name} of ${app} crashed on release v${release.version}.`, {
    fault: 'user',
    provider: 'heroku',
    hint: `Most often R10: the server did not bind $PORT within ${BOOT_TIMEOUT_MS / 1000} s. Read \`heroku logs -a ${app}\`, and keep the image small so it boots in time.`,
    details: { dyno: dyno.name, state: dyno.state, release: release.version },
  })
}
