import type { DeployInput, DeploymentResult } from '@datapub/core/kit'
import { buildService, checkResources } from './build-service.js'
import { awaitOperation } from './await-operation.js'
import { cloudrunError } from './cloudrun-error.js'
import type { CloudrunRuntime } from './cloudrun-runtime.js'
import { setPublicAccess } from './set-public-access.js'
import { shortName } from './service-state.js'
import { waitUntilReady } from './wait-until-ready.js'
import { withQuotaRetry } from './with-quota-retry.js'

/**
 * Upserts the service (updateService with allowMissing: create or replace in one idempotent
 * call, no 409 race between two first deploys), waits for the operation and for readiness,
 * then applies public access. The image is pinned by digest, never by a moving tag.
 */
export async function deployService(rt: CloudrunRuntime, input: DeployInput): Promise<DeploymentResult> {
  checkResources(rt.options)
  const image = pinnedImage(input)
  const id = rt.options.service ?? input.name
  const name = rt.serviceName(id)
  const service = buildService({ name, image, env: input.env, port: input.port }, rt.options)
  rt.emit({ type: 'deploy:status', state: 'updating', message: `deploying ${image.slice(image.lastIndexOf('/') + 1)} to Cloud Run service ${id} in ${rt.region}` })
  const [operation] = await withQuotaRetry(`Deploying service ${id}`, () => rt.clients.services.updateService({ service, allowMissing: true }), input.signal)
  let deployed = await awaitOperation(rt.clients.services, name, operation, `Deploying service ${id}`, input.signal)
  deployed = await waitUntilReady(rt.clients.services, { ...deployed, name }, { timeoutMs: rt.options.readyTimeout * 1000, signal: input.signal, emit: rt.emit })
  if (await setPublicAccess(rt.clients.services, name, rt.options.public, input.signal)) {
    rt.emit({ type: 'deploy:status', state: rt.options.public ? 'public' : 'private', message: rt.options.public ? 'allUsers can invoke the service' : 'public access withdrawn' })
  }
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
