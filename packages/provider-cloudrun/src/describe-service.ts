import type { DeploymentDescriptor, DeploymentSummary } from '@datapub/core/kit'
import type { CloudrunRuntime } from './cloudrun-runtime.js'
import { isoTime, readiness, servingRevision, shortName, type IService } from './service-state.js'
import { withQuotaRetry } from './with-quota-retry.js'

export function summarizeService(service: IService): DeploymentSummary {
  const id = shortName(service.name) ?? ''
  const state = readiness(service)
  const createdAt = isoTime(service.createTime)
  const revision = servingRevision(service)
  const image = service.template?.containers?.[0]?.image ?? undefined
  return {
    id,
    name: id,
    state: state === 'pending' ? 'reconciling' : state,
    ...(service.uri ? { url: service.uri } : {}),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(revision === undefined ? {} : { revision }),
    ...(image ? { image } : {}),
  }
}

/** The portable descriptor: image by digest, the options that recreate the service elsewhere, env NAMES only. */
export async function exportService(rt: CloudrunRuntime, service: IService, signal: AbortSignal): Promise<DeploymentDescriptor> {
  const id = shortName(service.name) ?? ''
  const container = service.template?.containers?.[0]
  const image = container?.image ?? ''
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1]
  const limits = container?.resources?.limits ?? {}
  const scaling = service.template?.scaling
  const env = container?.env ?? []
  const [policy] = await withQuotaRetry(`Reading the IAM policy of ${id}`, () => rt.clients.services.getIamPolicy({ resource: service.name ?? '' }), signal)
  const isPublic = (policy.bindings ?? []).some((b) => b.role === 'roles/run.invoker' && (b.members ?? []).includes('allUsers'))
  const labels = Object.entries(service.labels ?? {}).filter(([k]) => k !== 'managed-by').map(([k, v]) => `${k}=${v}`)
  const secrets = env.filter((e) => e.valueSource?.secretKeyRef?.secret).map((e) => `${e.name}=${e.valueSource!.secretKeyRef!.secret}:${e.valueSource!.secretKeyRef!.version || 'latest'}`)
  const timeout = Number(service.template?.timeout?.seconds ?? 0)
  const concurrency = Number(service.template?.maxInstanceRequestConcurrency ?? 0)
  const resources = {
    ...(limits.memory ? { memory: limits.memory } : {}),
    ...(limits.cpu ? { cpu: limits.cpu } : {}),
    ...(scaling?.minInstanceCount ? { minInstances: Number(scaling.minInstanceCount) } : {}),
    maxInstances: Number(scaling?.maxInstanceCount ?? 0),
  }
  return {
    schema: 'datapub.deployment/v1',
    provider: 'cloudrun',
    id,
    name: id,
    ...(service.uri ? { url: service.uri } : {}),
    ...(service.urls && service.urls.length > 1 ? { aliases: service.urls.filter((u) => u !== service.uri) } : {}),
    ...(image ? { image: { ref: image, ...(digest === undefined ? {} : { digest }), registry: image.split('/')[0] ?? '' } } : {}),
    options: {
      service: id,
      project: rt.project,
      region: rt.region,
      public: isPublic,
      ...resources,
      ...(timeout > 0 ? { timeout } : {}),
      ...(concurrency > 0 ? { concurrency } : {}),
      ...(labels.length > 0 ? { labels } : {}),
      ...(secrets.length > 0 ? { secrets } : {}),
      ...(readiness(service) === 'ready' ? {} : { state: readiness(service) }),
      revision: servingRevision(service),
    },
    envNames: env.map((e) => e.name ?? '').filter(Boolean).sort(),
    resources,
  }
}
