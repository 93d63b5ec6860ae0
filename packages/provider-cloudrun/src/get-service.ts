import { isDatapubError } from '@datapub/core/kit'
import { cloudrunError } from './cloudrun-error.js'
import type { CloudrunRuntime } from './cloudrun-runtime.js'
import type { IService } from './service-state.js'
import { withQuotaRetry } from './with-quota-retry.js'

/** Reads one service; a missing one is DEPLOYMENT_NOT_FOUND, as every provider reports it. */
export async function getService(rt: CloudrunRuntime, id: string, signal: AbortSignal): Promise<IService> {
  try {
    const [service] = await withQuotaRetry(`Reading service ${id}`, () => rt.clients.services.getService({ name: rt.serviceName(id) }), signal)
    return service
  } catch (error) {
    if (isDatapubError(error) && error.code === 'CLOUDRUN_NOT_FOUND') {
      throw cloudrunError('DEPLOYMENT_NOT_FOUND', `No Cloud Run service "${id}" in ${rt.parent}.`, 'user', 'List services with `datapub list cloudrun`, or check --project and --region.', error)
    }
    throw error
  }
}
