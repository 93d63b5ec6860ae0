import { createReadStream } from 'node:fs'
import { DatapubError, type ContextArtifact, type DeploymentResult, type Emit, type HttpClientFactory, type Logger } from '@datapub/core/kit'
import type { HerokuApi } from './heroku-api.js'
import type { HerokuApp, HerokuBuild, HerokuRelease, HerokuSource } from './heroku-types.js'
import { checkSlugSize, mb } from './check-slug-size.js'
import type { HerokuOptions } from './options.js'
import { packContext } from './pack-context.js'
import { setConfigVars } from './set-config-vars.js'
import { sleep } from './sleep.js'
import { streamBuildOutput } from './stream-build-output.js'
import { waitForRelease } from './wait-for-release.js'

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
    const s3 = http({ baseURL: source.source_blob.put_url, provider: 'heroku', signal: input.signal, timeoutMs: 30 * 60_000 })
    await s3.put('', createReadStream(packed.file), { headers: { 'content-type': '', 'content-length': String(packed.bytes) }, maxBodyLength: Infinity })
    let build = await api.post<HerokuBuild>(`${path}/builds`, {
      body: { source_blob: { url: source.source_blob.get_url, version: packed.checksum.slice('SHA256:'.length, 'SHA256:'.length + 12), checksum: packed.checksum } },
      signal: input.signal,
    })
    emit({ type: 'deploy:status', state: 'building', message: `Heroku build ${build.id} started` })
    const tail = build.output_stream_url ? await streamBuildOutput(build.output_stream_url, http, emit, logger, input.signal) : []
    const deadline = Date.now() + options.releaseTimeout * 1000
    while (build.status === 'pending') {
      if (Date.now() > deadline) throw new DatapubError('HEROKU_DEPLOY_TIMEOUT', `Heroku build ${build.id} of ${app} is still pending.`, { fault: 'host', provider: 'heroku', hint: 'Raise --release-timeout, or watch the build in the Heroku dashboard.' })
      await sleep(options.pollInterval, input.signal)
      build = await api.get<HerokuBuild>(`${path}/builds/${encodeURIComponent(build.id)}`, { signal: input.signal })
    }
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
