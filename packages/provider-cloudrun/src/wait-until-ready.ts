import { setTimeout as sleep } from 'node:timers/promises'
import type { Emit } from '@datapub/core/kit'
import type { v2 } from '@google-cloud/run'
import { cloudrunError } from './cloudrun-error.js'
import { conditionReason, readiness, shortName, type IService } from './service-state.js'
import { withQuotaRetry } from './with-quota-retry.js'

export interface WaitOptions {
  timeoutMs: number
  signal?: AbortSignal
  emit?: Emit
  pollMs?: number
}

/** Polls the service until it stops reconciling; a failed terminal condition becomes CLOUDRUN_REVISION_FAILED with Cloud Run's own reason. */
export async function waitUntilReady(services: v2.ServicesClient, initial: IService, options: WaitOptions): Promise<IService> {
  const name = initial.name ?? ''
  const deadline = Date.now() + options.timeoutMs
  let delay = options.pollMs ?? 500
  let service = initial
  for (;;) {
    const state = readiness(service)
    if (state === 'ready') return service
    if (state === 'failed') throw revisionFailed(service)
    if (Date.now() > deadline) {
      throw cloudrunError('CLOUDRUN_READY_TIMEOUT', `Service ${shortName(name)} was not ready after ${Math.round(options.timeoutMs / 1000)} s.`, 'host', 'Check the service in the Cloud Run console; raise --ready-timeout for slow starts.')
    }
    options.emit?.({ type: 'deploy:status', state: 'waiting', message: `waiting for ${shortName(service.latestCreatedRevision) ?? shortName(name)} to become ready` })
    await sleep(delay, undefined, options.signal === undefined ? undefined : { signal: options.signal })
    delay = Math.min(delay * 1.5, 5000)
    ;[service] = await withQuotaRetry(`Reading service ${shortName(name)}`, () => services.getService({ name }), options.signal === undefined ? {} : { signal: options.signal })
  }
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
