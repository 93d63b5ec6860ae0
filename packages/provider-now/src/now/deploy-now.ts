import { DatapubError, registerSecret, type DeployInput, type DeploymentResult, type Emit, type KitHttpClient } from '@datapub/core/kit'
import { apiErrorOf } from '../shared/api-error-of.js'
import { assignAlias } from '../shared/assign-alias.js'
import { createWithUploads } from '../shared/create-with-uploads.js'
import { metaFor } from '../shared/env-names-meta.js'
import { fileTooLarge, sizeLimitOf } from '../shared/file-too-large.js'
import { hashFiles, type HashedFile } from '../shared/hash-files.js'
import { mapApiError } from '../shared/map-api-error.js'
import type { NowOptions } from './now-options.js'
import { waitForNow } from './wait-for-now.js'

interface NowCreated {
  deploymentId?: string
  uid?: string
  id?: string
  url?: string
  warnings?: Array<{ reason?: string; sha?: string; limit?: number }>
}

/**
 * Now v1 Docker deployment (host-apis.md §1, now-cli 11.x): hash, create, upload what is
 * missing, create again, follow the build, scale, alias. Secrets travel in the deployment's
 * `env`, the host's config mechanism; the build context never contains them.
 */
export async function deployNow(http: KitHttpClient, input: DeployInput, options: NowOptions, emit: Emit): Promise<DeploymentResult> {
  const { artifact } = input
  if (artifact.kind !== 'context') {
    throw new DatapubError('NOW_ARTIFACT_UNSUPPORTED', `Now builds Docker deployments from a build context, not a ${artifact.kind}.`, {
      fault: 'internal',
      provider: 'now',
      hint: 'The pipeline must hand `now` the build context directory.',
    })
  }
  for (const value of Object.values(input.env)) registerSecret(value)
  const files = await hashFiles(artifact.dir, artifact.files)
  if (!files.some((f) => f.file === 'Dockerfile')) {
    throw new DatapubError('NOW_DOCKERFILE_MISSING', 'The build context has no Dockerfile; Now docker deployments need one at the root.', { fault: 'internal', provider: 'now' })
  }
  const body = {
    env: input.env,
    meta: metaFor(input.name, input.env),
    public: options.public,
    forceNew: options.forceNew,
    name: input.name,
    deploymentType: 'docker',
    files: files.map(({ sha, size, file, mode }) => ({ sha, size, file, mode })),
    config: { features: { cloud: options.cloud } },
  }
  let created: NowCreated
  try {
    created = await createWithUploads<NowCreated>({
      provider: 'now',
      http,
      files,
      create: { method: 'POST', path: '/v4/now/deployments', json: body },
      upload: { path: '/v2/now/files', digestHeader: 'x-now-digest' },
      emit,
      signal: input.signal,
      maxRateLimitWaitMs: options.maxRateLimitWait * 1000,
    })
  } catch (error) {
    throw createError(error, files)
  }
  const oversized = created.warnings?.find((w) => w.reason === 'size_limit_exceeded')
  if (oversized !== undefined) throw fileTooLarge('now', files, oversized)
  const id = created.deploymentId ?? created.uid ?? created.id
  if (id === undefined || created.url === undefined) {
    throw new DatapubError('NOW_UNEXPECTED_RESPONSE', 'Now created the deployment but returned no id or url.', { fault: 'host', provider: 'now' })
  }
  emit({ type: 'deploy:status', state: 'CREATED', message: `https://${created.url}` })
  await waitForNow(http, id, { emit, signal: input.signal, pollIntervalMs: options.pollInterval, timeoutMs: options.deployTimeout * 1000 })
  if (options.scaleMin !== undefined || options.scaleMax !== undefined) await scaleNow(http, id, options, input.signal)
  for (const alias of options.alias) await assignAlias(http, 'now', `/now/deployments/${encodeURIComponent(id)}/aliases`, alias, input.signal)
  const host = options.alias[0] ?? created.url
  return { provider: 'now', id, name: input.name, url: `https://${host}` }
}

async function scaleNow(http: KitHttpClient, id: string, options: NowOptions, signal: AbortSignal): Promise<void> {
  const min = options.scaleMin ?? 1
  const max = options.scaleMax === undefined ? Math.max(min, 1) : options.scaleMax === 'auto' ? 'auto' : Number(options.scaleMax)
  try {
    await http.request({ method: 'PUT', path: `/v3/now/deployments/${encodeURIComponent(id)}/instances`, json: { all: { min, max } }, signal })
  } catch (error) {
    const api = apiErrorOf(error)
    if (api?.code !== undefined && /min|max|scale/.test(api.code)) {
      throw new DatapubError('NOW_SCALE_INVALID', `Now refused the scale ${min}..${max} (${api.code})${api.message === undefined ? '' : `: ${api.message}`}.`, {
        fault: 'user',
        provider: 'now',
        cause: error,
        path: api.code.includes('max') ? 'scaleMax' : 'scaleMin',
        hint: 'The plan bounds the instance counts; lower --scale-max or raise it within the plan.',
      })
    }
    throw mapApiError(error, 'now', 'Scaling the deployment')
  }
}

function createError(error: unknown, files: HashedFile[]): unknown {
  const sizeLimit = sizeLimitOf(error)
  if (sizeLimit !== undefined) return fileTooLarge('now', files, sizeLimit, error)
  const api = apiErrorOf(error)
  if (api?.code === 'plan_requires_public') {
    return new DatapubError('NOW_PLAN_REQUIRES_PUBLIC', 'The Now OSS plan only allows public deployments.', {
      fault: 'user',
      provider: 'now',
      cause: error,
      path: 'public',
      hint: 'Pass --public (the source becomes visible) or upgrade the plan.',
    })
  }
  return mapApiError(error, 'now', 'Creating the deployment')
}
