import { waitUntil, type Emit } from '@datapub/core/kit'
import type { v2 } from '@google-cloud/run'
import { cloudrunError } from './cloudrun-error.js'
import { conditionReason, conditionState, readiness, shortName, type IService } from './service-state.js'
import { withQuotaRetry } from './with-quota-retry.js'

export interface WaitOptions {
  timeoutMs: number
  signal: AbortSignal
  emit?: Emit
  pollMs?: number
}

/** Polls the service until it stops reconciling; a failed terminal condition becomes CLOUDRUN_REVISION_FAILED with Cloud Run's own reason. */
export async function waitUntilReady(services: v2.ServicesClient, initial: IService, options: WaitOptions): Promise<IService> {
  const name = initial.name ?? ''
  let service: IService | undefined
  return waitUntil({
    timeoutMs: options.timeoutMs,
    minDelayMs: options.pollMs ?? 500,
    maxDelayMs: 5000,
    signal: options.signal,
    timeout: { code: 'CLOUDRUN_READY_TIMEOUT', message: `Service ${shortName(name)} was not ready`, fault: 'host', provider: 'cloudrun', hint: 'Check the service in the Cloud Run console; raise --ready-timeout for slow starts.' },
    onWait: () => options.emit?.({ type: 'deploy:status', state: 'waiting', message: `waiting for ${shortName(service?.latestCreatedRevision) ?? shortName(name)} to become ready` }),
    check: async ({ signal }) => {
      service = service === undefined ? initial : (await withQuotaRetry(`Reading service ${shortName(name)}`, () => services.getService({ name }), signal))[0]
      const state = readiness(service)
      if (state === 'ready') return { done: true, value: service }
      if (state === 'failed') throw revisionFailed(service)
      return { done: false, reason: `${shortName(service.latestCreatedRevision) ?? shortName(name)} ${service.reconciling === true ? 'reconciling' : conditionState(service.terminalCondition?.state) || 'pending'}` }
    },
  })
}

export function revisionFailed(service: IService) {
  const condition = service.terminalCondition
  const reason = conditionReason(condition)
  const revision = shortName(service.latestCreatedRevision)
  return cloudrunError(
    'CLOUDRUN_REVISION_FAILED',
    `Revision ${revision ?? '(unknown)'} failed${reason ? ` (${reason})` : ''}: ${condition?.message || 'no message from Cloud Run'}`,
    'user',
    'The container must start and listen on $PORT within the startup limit; read the revision logs in Cloud Logging. The previous revision keeps serving.',
    undefined,
    { ...(revision === undefined ? {} : { revision }), ...(reason === undefined ? {} : { reason }) },
  )
}
