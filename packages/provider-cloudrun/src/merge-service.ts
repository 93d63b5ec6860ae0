import type { CloudrunOptions } from './options.js'
import type { IService } from './service-state.js'

/** Fields Cloud Run computes; sending them back is at best ignored. */
const OUTPUT_ONLY = ['uid', 'generation', 'createTime', 'updateTime', 'deleteTime', 'expireTime', 'creator', 'lastModifier', 'observedGeneration', 'terminalCondition', 'conditions', 'latestReadyRevision', 'latestCreatedRevision', 'trafficStatuses', 'uri', 'urls', 'reconciling', 'satisfiesPzs', 'etag'] as const

/**
 * A redeploy as read-modify-write: the service as Cloud Run has it, with only the fields datapub
 * manages replaced (the first container's image, port, env names datapub sets and the limits it
 * was given; scaling, timeout and concurrency it was given; its labels; traffic back to latest).
 * Everything else a user set in the console stays: service account (unless --service-account),
 * VPC access, ingress, volumes, sidecars, other env vars and secrets, annotations. The etag makes
 * Cloud Run refuse the write if the service changed since it was read.
 */
export function mergeService(current: IService, desired: IService, options: CloudrunOptions): IService {
  const base = structuredClone(current) as Record<string, unknown>
  for (const key of OUTPUT_ONLY) delete base[key]
  const currentTemplate = { ...(current.template ?? {}) } as NonNullable<IService['template']> & { revision?: unknown }
  // Revision names are chosen by Cloud Run per deploy; reusing the one read would be refused.
  delete currentTemplate.revision
  const want = desired.template ?? {}
  const [first, ...sidecars] = currentTemplate.containers ?? []
  const wanted = want.containers?.[0] ?? {}
  const ours = new Set((wanted.env ?? []).map((e) => e.name))
  const container = {
    ...(first ?? {}),
    image: wanted.image,
    ports: wanted.ports,
    env: [...(first?.env ?? []).filter((e) => !ours.has(e.name)), ...(wanted.env ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name))),
    resources: { ...(first?.resources ?? {}), limits: { ...(first?.resources?.limits ?? {}), ...(wanted.resources?.limits ?? {}) } },
  }
  const scaling = { ...(currentTemplate.scaling ?? {}), ...(want.scaling ?? {}) }
  if (options.maxInstances === 0) delete (scaling as { maxInstanceCount?: unknown }).maxInstanceCount
  return {
    ...(base as IService),
    name: desired.name,
    labels: { ...(current.labels ?? {}), ...(desired.labels ?? {}) },
    template: {
      ...currentTemplate,
      ...(want.timeout === undefined ? {} : { timeout: want.timeout }),
      ...(want.maxInstanceRequestConcurrency === undefined ? {} : { maxInstanceRequestConcurrency: want.maxInstanceRequestConcurrency }),
      ...(want.serviceAccount === undefined ? {} : { serviceAccount: want.serviceAccount }),
      scaling,
      containers: [container, ...sidecars],
    },
    traffic: desired.traffic,
    // --no-public must not leave a service open through a disabled invoker check.
    ...(options.public ? {} : { invokerIamDisabled: false }),
    ...(current.etag ? { etag: current.etag } : {}),
  }
}
