import { createReadStream } from 'node:fs'
import { createKitHttpClient, DatapubError, waitUntil, type ContextArtifact, type DeploymentResult, type Emit, type HttpClientFactory, type Logger } from '@datapub/core/kit'
import type { HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuBuild, HerokuRelease, HerokuSource } from './heroku-types.js'
import { checkSlugSize, mb } from './check-slug-size.js'
import type { HerokuOptions } from './options.js'
import { packContext } from './pack-context.js'
import { setConfigVars } from './set-config-vars.js'
import { streamBuildOutput } from './stream-build-output.js'
import { pacing, waitForRelease } from './wait-for-release.js'

export interface DeployBuildInput {
  app: HerokuApp
  artifact: ContextArtifact
  vars: Record<string, string>
  signal: AbortSignal
}

export interface BuildServices {
  api: HerokuApi
  http: HttpClientFactory
  emit: Emit
  logger: Logger
}

/**
 * The build path, for when no engine is at hand: the context plus a heroku.yml goes up through
 * /sources, Heroku builds the Dockerfile on the container stack, and the build's release is
 * awaited like an image release. The tarball is checked against the slug cap before upload.
 */
export async function deployBuild(services: BuildServices, input: DeployBuildInput, options: HerokuOptions): Promise<DeploymentResult> {
  const { api, http, emit, logger } = services
  const app = input.app.name
  const path = `/apps/${encodeURIComponent(app)}`
  const packed = await packContext(input.artifact.dir, input.artifact.files, input.signal)
  try {
    checkSlugSize(packed.bytes, options.slugLimit)
    await setConfigVars(api, app, input.vars, input.signal)
    const source = await api.post<HerokuSource>('/sources', { signal: input.signal })
    emit({ type: 'deploy:status', state: 'uploading', message: `uploading ${mb(packed.bytes)} of source` })
    // A presigned S3 URL: its signature is the credential, so no Heroku auth and no Content-Type.
    const s3 = createKitHttpClient(http, { baseURL: source.source_blob.put_url, provider: 'heroku', timeoutMs: 30 * 60_000 })
    await s3.request({ method: 'PUT', path: '', body: createReadStream(packed.file), headers: { 'content-type': '', 'content-length': String(packed.bytes) }, signal: input.signal })
    const started = await api.post<HerokuBuild>(`${path}/builds`, {
      body: { source_blob: { url: source.source_blob.get_url, version: packed.checksum.slice('SHA256:'.length, 'SHA256:'.length + 12), checksum: packed.checksum } },
      signal: input.signal,
    })
    emit({ type: 'deploy:status', state: 'building', message: `Heroku build ${started.id} started` })
    const tail = started.output_stream_url ? await streamBuildOutput(started.output_stream_url, http, emit, logger, input.signal) : []
    const deadline = Date.now() + options.releaseTimeout * 1000
    const wait = { timeoutMs: Math.max(deadline - Date.now(), 1), intervalMs: options.pollInterval, signal: input.signal, emit }
    const build = await waitUntil({
      ...pacing(app, wait),
      timeout: { ...pacing(app, wait).timeout, message: `Heroku build ${started.id} of ${app} is still pending`, hint: 'Raise --release-timeout, or watch the build in the Heroku dashboard.' },
      check: async ({ attempt, signal }) => {
        const seen = attempt === 1 ? started : await api.get<HerokuBuild>(`${path}/builds/${encodeURIComponent(started.id)}`, { signal })
        return seen.status === 'pending' ? { done: false, reason: `build ${seen.id} pending` } : { done: true, value: seen }
      },
    })
    if (build.status !== 'succeeded' || build.release == null) {
      throw new DatapubError('HEROKU_BUILD_FAILED', `Heroku build ${build.id} of ${app} failed.${tail.length > 0 ? `\n--- build output (last lines) ---\n${tail.join('\n')}` : ''}`, {
        fault: 'user',
        provider: 'heroku',
        hint: 'The build log above names the failing step; the previous release keeps serving.',
        details: { build: build.id, logTail: tail },
      })
    }
    if (options.dynoQuantity !== undefined || options.dynoSize !== undefined) {
      const update = { type: 'web', ...(options.dynoQuantity === undefined ? {} : { quantity: options.dynoQuantity }), ...(options.dynoSize === undefined ? {} : { size: options.dynoSize }) }
      await api.patch(`${path}/formation`, { body: { updates: [update] }, signal: input.signal })
    }
    const release = await api.get<HerokuRelease>(`${path}/releases/${encodeURIComponent(build.release.id)}`, { signal: input.signal })
    const done = await waitForRelease(api, app, release, { timeoutMs: Math.max(deadline - Date.now(), 10_000), intervalMs: options.pollInterval, signal: input.signal, emit })
    emit({ type: 'deploy:status', state: 'ready', message: input.app.web_url })
    return { provider: 'heroku', id: app, name: app, url: input.app.web_url, release: done.version, build: build.id }
  } finally {
    await packed.remove()
  }
}
