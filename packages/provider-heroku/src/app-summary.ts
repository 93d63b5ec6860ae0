import type { DeploymentSummary } from '@datapub/core/kit'
import type { HerokuApp, HerokuDyno, HerokuRelease } from './heroku-types.js'

/** One state word from the latest release and the web dynos, most serious first. */
export function deploymentState(release: HerokuRelease | undefined, dynos: HerokuDyno[] | undefined): string {
  if (release === undefined) return 'empty'
  if (release.status === 'pending') return 'releasing'
  if (release.status === 'failed' || release.status === 'expired') return `release-${release.status}`
  if (dynos === undefined) return 'released'
  const web = dynos.filter((d) => d.type === 'web')
  if (web.some((d) => d.state === 'crashed')) return 'crashed'
  if (web.length === 0) return 'no-dynos'
  if (web.every((d) => d.state === 'up')) return 'running'
  if (web.every((d) => d.state === 'idle' || d.state === 'up')) return 'idle'
  return 'starting'
}

export function appSummary(app: HerokuApp, release?: HerokuRelease, dynos?: HerokuDyno[]): DeploymentSummary {
  return {
    id: app.name,
    name: app.name,
    url: app.web_url,
    state: dynos === undefined && release === undefined ? 'deployed' : deploymentState(release, dynos),
    ...(app.created_at === undefined ? {} : { createdAt: app.created_at }),
    ...(app.region?.name === undefined ? {} : { region: app.region.name }),
    ...(app.stack?.name === undefined ? {} : { stack: app.stack.name }),
    ...(release === undefined ? {} : { release: release.version, releaseStatus: release.status }),
    ...(dynos === undefined ? {} : { dynos: dynos.map((d) => ({ name: d.name, type: d.type, state: d.state, size: d.size })) }),
  }
}
