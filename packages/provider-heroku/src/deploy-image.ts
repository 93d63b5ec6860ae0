import type { DeploymentResult, Emit, HttpClientFactory, ImageArtifact, Logger } from '@datapub/core/kit'
import { ACCEPT_DOCKER_RELEASES, type HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuFormation, HerokuRelease } from './heroku-types.js'
import { latestRelease } from './latest-release.js'
import type { HerokuOptions } from './options.js'
import { setConfigVars } from './set-config-vars.js'
import { streamBuildOutput } from './stream-build-output.js'
import { herokuErrorBody, herokuStatus } from './to-heroku-error.js'
import { waitForNewRelease, waitForRelease } from './wait-for-release.js'

/** Heroku's answer to a formation update naming the image the process already runs (heroku/cli issues 1965, 1167). */
const ALREADY_RUNNING = /already running the specified docker image/i

export interface ReleaseOutput {
  http: HttpClientFactory
  logger: Logger
}

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
 * (its release phase output shown, as `heroku container:release` does) and the web dynos. A web
 * process the formation shows at 0 dynos is scaled to 1, or the release would wait for dynos that
 * never start. An image that already runs is nothing to release: Heroku refuses the PATCH with
 * 422, and the current release is the answer, also when an earlier publish released it and then
 * timed out.
 */
export async function deployImage(api: HerokuApi, input: DeployImageInput, options: HerokuOptions, emit: Emit, output?: ReleaseOutput): Promise<DeploymentResult> {
  const app = input.app.name
  const path = `/apps/${encodeURIComponent(app)}`
  await setConfigVars(api, app, input.vars, input.signal)
  const before = await latestRelease(api, app, input.signal)
  emit({ type: 'deploy:status', state: 'releasing', message: `releasing ${input.configDigest.slice(0, 19)} to ${app}` })
  const update = {
    type: 'web',
    docker_image: input.configDigest,
    ...(options.dynoQuantity === undefined ? {} : { quantity: options.dynoQuantity }),
    ...(options.dynoSize === undefined ? {} : { size: options.dynoSize }),
  }
  const formation = await api
    .patch<HerokuFormation[]>(`${path}/formation`, { body: { updates: [update] }, headers: { Accept: ACCEPT_DOCKER_RELEASES }, signal: input.signal })
    .catch((error: unknown) => {
      if (herokuStatus(error) === 422 && ALREADY_RUNNING.test(herokuErrorBody(error).message ?? '')) return undefined
      throw error
    })
  await scaleUpIfIdle(api, app, formation, options, emit, input.signal)
  if (formation === undefined) {
    const current = (await latestRelease(api, app, input.signal)) ?? before
    emit({ type: 'deploy:status', state: 'unchanged', message: `${app} already runs ${input.configDigest.slice(0, 19)}; nothing to release${current === undefined ? '' : ` (current release v${current.version})`}` })
    return result(input, current)
  }
  const wait = { timeoutMs: options.releaseTimeout * 1000, intervalMs: options.pollInterval, signal: input.signal, emit }
  const created = await waitForNewRelease(api, app, before?.version ?? 0, wait)
  if (created.status === 'pending' && created.output_stream_url && output !== undefined) {
    emit({ type: 'deploy:status', state: 'release-phase', message: `running the release phase of v${created.version}` })
    await streamBuildOutput(created.output_stream_url, output.http, emit, output.logger, input.signal)
  }
  const release = await waitForRelease(api, app, created, wait)
  emit({ type: 'deploy:status', state: 'ready', message: input.app.web_url })
  return result(input, release)
}

/** A web process scaled to 0 would never start a dyno, and the release would wait out the timeout. */
async function scaleUpIfIdle(api: HerokuApi, app: string, formation: HerokuFormation[] | undefined, options: HerokuOptions, emit: Emit, signal: AbortSignal): Promise<void> {
  if (options.dynoQuantity !== undefined) return
  const web = (formation ?? (await api.get<HerokuFormation[]>(`/apps/${encodeURIComponent(app)}/formation`, { headers: { Accept: ACCEPT_DOCKER_RELEASES }, signal }))).find((f) => f.type === 'web')
  if (web === undefined || web.quantity !== 0) return
  emit({ type: 'deploy:status', state: 'scaling', message: `the web process of ${app} was scaled to 0 dynos; scaling it to 1 so the release serves (pass --dyno-quantity to choose)` })
  await api.patch(`/apps/${encodeURIComponent(app)}/formation`, { body: { updates: [{ type: 'web', quantity: 1 }] }, signal })
}

function result(input: DeployImageInput, release: HerokuRelease | undefined): DeploymentResult {
  const app = input.app.name
  return {
    provider: 'heroku',
    id: app,
    name: app,
    url: input.app.web_url,
    imageDigest: input.configDigest,
    ...(release === undefined ? {} : { release: release.version }),
    ...(input.artifact.digest === undefined ? {} : { manifestDigest: input.artifact.digest }),
  }
}
