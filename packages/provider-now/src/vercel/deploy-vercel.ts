import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatapubError, registerSecret, type DeployInput, type DeploymentResult, type Emit, type KitHttpClient } from '@datapub/core/kit'
import { apiErrorOf } from '../shared/api-error-of.js'
import { assignAlias } from '../shared/assign-alias.js'
import { checkBundleLimits, type BundleCheck } from './check-bundle-limits.js'
import { createWithUploads } from '../shared/create-with-uploads.js'
import { metaFor } from '../shared/env-names-meta.js'
import { fileTooLarge, sizeLimitOf } from '../shared/file-too-large.js'
import { hashFiles } from '../shared/hash-files.js'
import { mapApiError } from '../shared/map-api-error.js'
import { VERCEL_ERAS } from './vercel-eras.js'
import { VERCEL_PROJECT_PATTERN, type VercelOptions } from './vercel-options.js'
import { waitForVercel, type VercelDeployment } from './wait-for-vercel.js'
import { writeVercelBundle } from './write-vercel-bundle.js'

/**
 * Vercel (host-apis.md §2): generate the Python app from the build context, check it against
 * the era's limits, put the secrets in the project's encrypted env, create a v13 deployment
 * (uploading what the API reports missing), wait for READY, alias.
 */
export async function deployVercel(http: KitHttpClient, input: DeployInput, options: VercelOptions, emit: Emit): Promise<DeploymentResult> {
  const { artifact } = input
  if (artifact.kind === 'image') {
    throw new DatapubError('VERCEL_ARTIFACT_UNSUPPORTED', 'Vercel deploys a file bundle, not an image.', { fault: 'internal', provider: 'vercel', hint: 'The pipeline must hand `vercel` the build context or bundle directory.' })
  }
  const project = vercelProject(options, input.name)
  for (const value of Object.values(input.env)) registerSecret(value)
  if (input.spec.extraOptions.length > 0) {
    emit({ type: 'warning', code: 'VERCEL_EXTRA_OPTIONS_IGNORED', message: 'Vercel runs Datasette in-process, so --extra-options is ignored; use --setting NAME VALUE instead.' })
  }
  const era = VERCEL_ERAS[options.era]
  const out = await mkdtemp(path.join(tmpdir(), 'datapub-vercel-'))
  try {
    const bundle = await writeVercelBundle(artifact, input.spec, options, out, era.measure === 'compressed')
    const check = checkBundleLimits(bundle.files, era)
    if (!check.ok) throw limitError(check, options.era)
    const files = await hashFiles(out, bundle.files.map((f) => f.file))

    const projectId = await ensureProject(http, project, input.signal)
    await setProjectEnv(http, projectId, input.env, input.signal)

    const body = {
      name: project,
      project: projectId,
      files: files.map(({ file, sha, size }) => ({ file, sha, size })),
      ...(options.prod ? { target: 'production' } : {}),
      projectSettings: { framework: null },
      meta: metaFor(input.name, input.env),
    }
    let created: VercelDeployment
    try {
      created = await createWithUploads<VercelDeployment>({
        provider: 'vercel',
        http,
        files,
        create: { method: 'POST', path: '/v13/deployments', json: body, query: { skipAutoDetectionConfirmation: 1 } },
        upload: { path: '/v2/files', digestHeader: 'x-vercel-digest' },
        emit,
        signal: input.signal,
        maxRateLimitWaitMs: options.maxRateLimitWait * 1000,
      })
    } catch (error) {
      const sizeLimit = sizeLimitOf(error)
      throw sizeLimit === undefined ? mapApiError(error, 'vercel', 'Creating the deployment') : fileTooLarge('vercel', files, sizeLimit, error)
    }
    const id = created.id ?? created.uid
    if (id === undefined) throw new DatapubError('VERCEL_UNEXPECTED_RESPONSE', 'Vercel created the deployment but returned no id.', { fault: 'host', provider: 'vercel' })
    emit({ type: 'deploy:status', state: created.readyState ?? 'QUEUED', message: created.url === undefined ? id : `https://${created.url}` })
    const ready = await waitForVercel(http, id, {
      emit,
      signal: input.signal,
      pollIntervalMs: options.pollInterval,
      timeoutMs: options.deployTimeout * 1000,
      production: options.prod,
      files: bundle.files,
    })
    for (const alias of options.alias) await assignAlias(http, 'vercel', `/v2/deployments/${encodeURIComponent(id)}/aliases`, alias, input.signal)
    const host = options.alias[0] ?? (options.prod ? ready.alias?.[0] : undefined) ?? ready.url ?? created.url
    return { provider: 'vercel', id, name: input.name, url: `https://${host}`, project }
  } finally {
    await rm(out, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** `--project`, else the deployment name, both held to datasette-publish-vercel's rule. */
export function vercelProject(options: Pick<VercelOptions, 'project'>, name: string): string {
  const project = options.project ?? name
  if (!VERCEL_PROJECT_PATTERN.test(project)) {
    throw new DatapubError('VERCEL_PROJECT_INVALID', `"${project}" is not a valid Vercel project name.`, {
      fault: 'user',
      provider: 'vercel',
      path: options.project === undefined ? 'name' : 'project',
      hint: 'Use 2 to 52 lower-case letters, digits and -, starting with a letter or digit (--project).',
    })
  }
  return project
}

/** The project must exist before its env can hold the secrets the first deployment reads. */
async function ensureProject(http: KitHttpClient, project: string, signal: AbortSignal): Promise<string> {
  try {
    const { body } = await http.request<{ id: string }>({ method: 'GET', path: `/v9/projects/${encodeURIComponent(project)}`, signal })
    return body.id
  } catch (error) {
    if (apiErrorOf(error)?.status !== 404) throw mapApiError(error, 'vercel', `Project ${project}`)
  }
  try {
    const { body } = await http.request<{ id: string }>({ method: 'POST', path: '/v11/projects', json: { name: project, framework: null }, signal })
    return body.id
  } catch (error) {
    throw mapApiError(error, 'vercel', `Creating project ${project}`)
  }
}

/** Secrets go to the project's encrypted env (upserted), never into the uploaded files. */
async function setProjectEnv(http: KitHttpClient, projectId: string, env: Record<string, string>, signal: AbortSignal): Promise<void> {
  const entries = Object.entries(env).sort(([a], [b]) => a.localeCompare(b))
  if (entries.length === 0) return
  try {
    await http.request({
      method: 'POST',
      path: `/v10/projects/${encodeURIComponent(projectId)}/env`,
      json: entries.map(([key, value]) => ({ key, value, type: 'encrypted', target: ['production', 'preview'] })),
      query: { upsert: 'true' },
      signal,
    })
  } catch (error) {
    throw mapApiError(error, 'vercel', 'Setting the project environment')
  }
}

function limitError(check: BundleCheck, era: string): DatapubError {
  const list = (files: Array<{ file: string; bytes: number }>) => files.map((f) => `${f.file} (${f.bytes} bytes)`).join(', ')
  if (check.oversizedFiles.length > 0) {
    return new DatapubError('VERCEL_FILE_TOO_LARGE', `Over the per-file upload limit of era ${era}: ${list(check.oversizedFiles)}.`, {
      fault: 'user',
      provider: 'vercel',
      hint: 'Split the database, drop unused tables or columns, or publish to a container host (cloudrun, heroku).',
      details: { files: check.oversizedFiles, era },
    })
  }
  return new DatapubError('VERCEL_BUNDLE_TOO_LARGE', `The function bundle is ${check.totalBytes} bytes, over the ${check.limitBytes}-byte limit of era ${era}; over because of ${list(check.culprits)}.`, {
    fault: 'user',
    provider: 'vercel',
    hint: 'Publish less data (these files push it over), or pick --era today or a container host.',
    details: { totalBytes: check.totalBytes, limitBytes: check.limitBytes, culprits: check.culprits, era },
  })
}
