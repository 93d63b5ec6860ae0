import type { HerokuApi } from './heroku-api.js'
import type { HerokuRelease } from './heroku-types.js'

/** The newest release, one ranged page (a Range of ours asks for one page, not every page). */
export async function latestRelease(api: HerokuApi, app: string, signal: AbortSignal): Promise<HerokuRelease | undefined> {
  const page = await api.get<HerokuRelease[]>(`/apps/${encodeURIComponent(app)}/releases`, { headers: { Range: 'version ..; max=1, order=desc' }, signal })
  return page[0]
}

/** The newest releases first, up to `max`. */
export async function recentReleases(api: HerokuApi, app: string, max: number, signal: AbortSignal): Promise<HerokuRelease[]> {
  return api.get<HerokuRelease[]>(`/apps/${encodeURIComponent(app)}/releases`, { headers: { Range: `version ..; max=${max}, order=desc` }, signal })
}
