import { DatapubError, type DeploymentResult, type Emit } from '@datapub/core/kit'
import type { HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuRelease } from './heroku-types.js'
import { recentReleases } from './latest-release.js'
import { herokuStatus } from './to-heroku-error.js'
import { waitForRelease, type WaitOptions } from './wait-for-release.js'

/**
 * Rolls back to the release before the current one, preferring the last one that changed the
 * image ("Deployed web (…)" or "Deploy …"): a publish first sets config vars and then releases the
 * image, so the release just before is usually the new config with the old image.
 */
export async function rollbackApp(api: HerokuApi, app: HerokuApp, wait: Omit<WaitOptions, 'emit'> & { emit: Emit }): Promise<DeploymentResult> {
  const path = `/apps/${encodeURIComponent(app.name)}`
  const releases = await recentReleases(api, app.name, 20, wait.signal)
  const current = releases.find((r) => r.current === true) ?? releases[0]
  const older = releases.filter((r) => current !== undefined && r.version < current.version && r.status === 'succeeded' && r.eligible_for_rollback !== false)
  const currentDeploy = releases.find((r) => current !== undefined && r.version <= current.version && isImageRelease(r))
  const target = older.find((r) => isImageRelease(r) && (currentDeploy === undefined || r.version < currentDeploy.version)) ?? older[0]
  if (current === undefined || target === undefined) {
    throw new DatapubError('HEROKU_NO_PREVIOUS_RELEASE', `Heroku app ${app.name} has no earlier release to roll back to.`, {
      fault: 'user',
      provider: 'heroku',
      hint: 'Rollback needs an earlier successful release; publish again instead.',
    })
  }
  wait.emit({ type: 'deploy:status', state: 'rolling-back', message: `rolling ${app.name} back from v${current.version} to v${target.version}` })
  const release = await api.post<HerokuRelease>(`${path}/releases`, { body: { release: target.id }, signal: wait.signal }).catch((error: unknown) => {
    if (herokuStatus(error) !== 422) throw error
    throw new DatapubError('HEROKU_ROLLBACK_UNAVAILABLE', `Heroku refused to roll ${app.name} back to v${target.version}.`, {
      fault: 'user',
      provider: 'heroku',
      hint: 'Publish the earlier data again instead; Heroku does not keep every release eligible for rollback.',
      cause: error,
    })
  })
  const done = await waitForRelease(api, app.name, release, wait)
  return { provider: 'heroku', id: app.name, name: app.name, url: app.web_url, release: done.version, rolledBackTo: target.version }
}

function isImageRelease(release: HerokuRelease): boolean {
  return /^Deploy/i.test(release.description ?? '')
}
