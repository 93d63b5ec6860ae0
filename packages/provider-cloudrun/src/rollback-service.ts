import type { DeploymentResult } from '@datapub/core/kit'
import { awaitOperation } from './await-operation.js'
import { cloudrunError } from './cloudrun-error.js'
import type { CloudrunRuntime } from './cloudrun-runtime.js'
import { getService } from './get-service.js'
import { isoTime, revisionIsReady, servingRevision, shortName } from './service-state.js'
import { waitUntilReady } from './wait-until-ready.js'
import { withQuotaRetry } from './with-quota-retry.js'

/** Sends 100% of traffic to the newest ready revision older than the one serving now. Cloud Run keeps old revisions, so nothing is rebuilt. */
export async function rollbackService(rt: CloudrunRuntime, id: string, signal: AbortSignal): Promise<DeploymentResult> {
  const name = rt.serviceName(id)
  const current = await getService(rt, id, signal)
  const serving = servingRevision(current)
  const [revisions] = await withQuotaRetry(`Listing revisions of ${id}`, () => rt.clients.revisions.listRevisions({ parent: name }), signal)
  const byAge = revisions.map((r) => ({ revision: r, name: shortName(r.name) ?? '', created: isoTime(r.createTime) ?? '' })).sort((a, b) => b.created.localeCompare(a.created))
  const servingCreated = byAge.find((r) => r.name === serving)?.created
  const previous = byAge.find((r) => r.name !== serving && revisionIsReady(r.revision) && (servingCreated === undefined || r.created < servingCreated))
  if (previous === undefined) {
    throw cloudrunError('CLOUDRUN_NO_PREVIOUS_REVISION', `Service ${id} has no ready revision older than ${serving ?? 'the current one'} to roll back to.`, 'user', 'Rollback needs an earlier successful deploy of the same service.')
  }
  rt.emit({ type: 'deploy:status', state: 'rollback', message: `sending all traffic of ${id} to ${previous.name}` })
  const [operation] = await withQuotaRetry(
    `Rolling back service ${id}`,
    () =>
      rt.clients.services.updateService({
        service: { name, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: previous.name, percent: 100 }], ...(current.etag ? { etag: current.etag } : {}) },
        updateMask: { paths: ['traffic'] },
      }),
    signal,
  )
  const updated = await waitUntilReady(rt.clients.services, { ...(await awaitOperation(rt.clients.services, name, operation, `Rolling back service ${id}`, signal)), name }, { timeoutMs: rt.options.readyTimeout * 1000, signal, emit: rt.emit })
  const image = updated.template?.containers?.[0]?.image ?? ''
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1]
  return { provider: 'cloudrun', id, name: id, url: updated.uri ?? '', revision: previous.name, ...(digest === undefined ? {} : { imageDigest: digest }) }
}
