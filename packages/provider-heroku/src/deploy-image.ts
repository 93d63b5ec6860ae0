import type { DeploymentResult, Emit, ImageArtifact } from '@datapub/core/kit'
import { ACCEPT_DOCKER_RELEASES, type HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuFormation } from './heroku-types.js'
import { latestRelease } from './latest-release.js'
import type { HerokuOptions } from './options.js'
import { setConfigVars } from './set-config-vars.js'
import { waitForNewRelease, waitForRelease } from './wait-for-release.js'

export interface DeployImageInput {
  app: HerokuApp
  artifact: ImageArtifact
  configDigest: string
  vars: Record<string, string>
  signal: AbortSignal
}

/**
 * The container path: config vars, then the formation PATCH naming the image by its config digest
 * under the docker-releases variant (the plain v3 schema has no docker_image), then the release
 * and the web dynos.
 */
export async function deployImage(api: HerokuApi, input: DeployImageInput, options: HerokuOptions, emit: Emit): Promise<DeploymentResult> {
  const app = input.app.name
  const path = `/apps/${encodeURIComponent(app)}`
  await setConfigVars(api, app, input.vars, input.signal)
  const before = (await latestRelease(api, app, input.signal))?.version ?? 0
  emit({ type: 'deploy:status', state: 'releasing', message: `releasing ${input.configDigest.slice(0, 19)} to ${app}` })
  const update = {
    type: 'web',
    docker_image: input.configDigest,
    ...(options.dynoQuantity === undefined ? {} : { quantity: options.dynoQuantity }),
    ...(options.dynoSize === undefined ? {} : { size: options.dynoSize }),
  }
  await api.patch<HerokuFormation[]>(`${path}/formation`, { body: { updates: [update] }, headers: { Accept: ACCEPT_DOCKER_RELEASES }, signal: input.signal })
  const wait = { timeoutMs: options.releaseTimeout * 1000, intervalMs: options.pollInterval, signal: input.signal, emit }
  const release = await waitForRelease(api, app, await waitForNewRelease(api, app, before, wait), wait)
  emit({ type: 'deploy:status', state: 'ready', message: input.app.web_url })
  return {
    provider: 'heroku',
    id: app,
    name: app,
    url: input.app.web_url,
    imageDigest: input.configDigest,
    release: release.version,
    ...(input.artifact.digest === undefined ? {} : { manifestDigest: input.artifact.digest }),
  }
}
