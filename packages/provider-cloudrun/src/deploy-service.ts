import type { DeployInput, DeploymentResult } from '@datapub/core/kit'
import { isDatapubError } from '@datapub/core/kit'
import { buildService, checkResources } from './build-service.js'
import { mergeService } from './merge-service.js'
import { artifactLocation } from './artifact-registry.js'
import { pruneImages } from './prune-images.js'
import { awaitOperation } from './await-operation.js'
import { cloudrunError, isNotFound } from './cloudrun-error.js'
import type { CloudrunRuntime } from './cloudrun-runtime.js'
import { setPublicAccess } from './set-public-access.js'
import { shortName, type IService } from './service-state.js'
import { waitUntilReady } from './wait-until-ready.js'
import { withQuotaRetry } from './with-quota-retry.js'

/**
 * Reads the service; a new one is created whole (updateService with allowMissing, no 409 race
 * between two first deploys), an existing one is changed only in the fields datapub manages and
 * written back with the etag it was read with (a concurrent change makes Cloud Run refuse it, and
 * the read-modify-write runs again). Then waits for the operation and readiness, and applies
 * public access. The image is pinned by digest, never by a moving tag.
 */
export async function deployService(rt: CloudrunRuntime, input: DeployInput): Promise<DeploymentResult> {
  checkResources(rt.options)
  const image = pinnedImage(input)
  const id = rt.options.service ?? input.name
  const name = rt.serviceName(id)
  const desired = buildService({ name, image, env: input.env, port: input.port }, rt.options)
  rt.emit({ type: 'deploy:status', state: 'updating', message: `deploying ${image.slice(image.lastIndexOf('/') + 1)} to Cloud Run service ${id} in ${rt.region}` })
  let operation: Parameters<typeof awaitOperation>[2] | undefined
  for (let attempt = 1; operation === undefined; attempt++) {
    const current = await readService(rt, name, input.signal)
    const service = current === undefined ? desired : mergeService(current, desired, rt.options)
    try {
      ;[operation] = (await withQuotaRetry(`Deploying service ${id}`, () => rt.clients.services.updateService({ service, allowMissing: current === undefined }), input.signal)) as unknown as [Parameters<typeof awaitOperation>[2]]
    } catch (error) {
      // The etag no longer matches: someone changed the service since we read it. Read again.
      if (!(isDatapubError(error) && error.code === 'CLOUDRUN_CONFLICT') || current === undefined || attempt >= 3) throw error
      rt.emit({ type: 'deploy:status', state: 'updating', message: `service ${id} changed while deploying; reading it again` })
    }
  }
  let deployed = await awaitOperation(rt.clients.services, name, operation, `Deploying service ${id}`, input.signal)
  deployed = await waitUntilReady(rt.clients.services, { ...deployed, name }, { timeoutMs: rt.options.readyTimeout * 1000, signal: input.signal, emit: rt.emit })
  const access = await setPublicAccess(rt.clients.services, name, rt.options.public, input.signal, deployed)
  if (access === 'granted' || access === 'withdrawn') {
    rt.emit({ type: 'deploy:status', state: rt.options.public ? 'public' : 'private', message: rt.options.public ? 'allUsers can invoke the service' : 'public access withdrawn' })
  } else if (access === 'invoker-iam-disabled') {
    rt.emit({ type: 'warning', code: 'CLOUDRUN_INVOKER_IAM_DISABLED', message: `An organisation policy does not allow allUsers on ${id}; the service is public through its disabled invoker IAM check (invokerIamDisabled) instead.` })
  }
  if (rt.options.keepImages !== undefined) await keepNewestImages(rt, name, id, rt.options.keepImages, input.signal)
  const url = deployed.uri ?? ''
  if (url === '') throw cloudrunError('CLOUDRUN_NO_URL', `Service ${id} is ready but has no URL.`, 'host', 'The service may have its default URL disabled; check it in the Cloud Run console.')
  const revision = shortName(deployed.latestReadyRevision)
  rt.emit({ type: 'deploy:status', state: 'ready', message: `${url} (revision ${revision ?? '?'})` })
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1]
  return {
    provider: 'cloudrun',
    id,
    name: input.name,
    url,
    ...(digest === undefined ? {} : { imageDigest: digest }),
    ...(revision === undefined ? {} : { revision }),
    project: rt.project,
    region: rt.region,
  }
}

/** --keep-images: Artifact Registry only; another registry's images are not ours to delete. */
async function keepNewestImages(rt: CloudrunRuntime, name: string, id: string, keep: number, signal: AbortSignal): Promise<void> {
  if (rt.options.registryUrl !== undefined) {
    rt.emit({ type: 'warning', code: 'CLOUDRUN_KEEP_IMAGES_SKIPPED', message: '--keep-images applies to Artifact Registry only; images pushed to --registry-url are left as they are.' })
    return
  }
  const [revisions] = await withQuotaRetry(`Listing revisions of ${id}`, () => rt.clients.revisions.listRevisions({ parent: name }), signal)
  const inUse = new Set(revisions.flatMap((r) => (r.containers ?? []).map((c) => /@(sha256:[a-f0-9]{64})$/.exec(c.image ?? '')?.[1]).filter((d): d is string => d !== undefined)))
  const { location } = artifactLocation(rt.options.artifactRegion)
  const deleted = await pruneImages(rt.http, await rt.session.accessToken(), { project: rt.options.artifactProject ?? rt.project, location, repository: rt.options.artifactRepository, package: `datasette-${id}` }, keep, inUse, { ...(rt.options.artifactApiUrl === undefined ? {} : { apiUrl: rt.options.artifactApiUrl }), signal })
  if (deleted.length > 0) rt.emit({ type: 'deploy:status', state: 'pruned', message: `deleted ${deleted.length} older image${deleted.length === 1 ? '' : 's'} of ${id} from Artifact Registry (--keep-images ${keep})` })
}

async function readService(rt: CloudrunRuntime, name: string, signal: AbortSignal): Promise<IService | undefined> {
  try {
    const [service] = await withQuotaRetry(`Reading service ${shortName(name)}`, () => rt.clients.services.getService({ name }), signal)
    return service
  } catch (error) {
    if (isNotFound(error) || (isDatapubError(error) && error.code === 'CLOUDRUN_NOT_FOUND')) return undefined
    throw error
  }
}

/** Cloud Run pulls from a registry, so the artifact must have been pushed; pin it by digest when we know it. */
function pinnedImage(input: DeployInput): string {
  const artifact = input.artifact
  if (artifact.kind !== 'image') {
    throw cloudrunError('PROVIDER_OPERATION_UNSUPPORTED', `The cloudrun provider deploys images, not a ${artifact.kind}.`, 'internal', 'This is a pipeline bug: cloudrun accepts images pushed to its push target.')
  }
  const ref = artifact.ref
  const first = ref.split('/')[0] ?? ''
  if (!ref.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    throw cloudrunError('CLOUDRUN_IMAGE_NOT_PUSHED', `Image ${ref} is not in a registry Cloud Run can pull from.`, 'internal', 'The push stage must run before deploy; it pushes to the Artifact Registry repository of the push target.')
  }
  if (ref.includes('@')) return ref
  if (artifact.digest !== undefined) return `${ref.replace(/:[^/:]+$/, '')}@${artifact.digest}`
  return ref
}
