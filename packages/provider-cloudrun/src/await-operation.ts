import { abortable, isDatapubError } from '@datapub/core/kit'
import type { v2 } from '@google-cloud/run'
import { cloudrunError, mapGoogleError } from './cloudrun-error.js'
import { readiness, type IService } from './service-state.js'
import { revisionFailed } from './wait-until-ready.js'

interface ServiceOperation {
  promise(): Promise<[IService, ...unknown[]]>
}

/**
 * Waits for a service long-running operation. When it fails, the service's terminal condition
 * usually says why (a revision that would not start), which beats the operation's generic error.
 */
export async function awaitOperation(services: v2.ServicesClient, name: string, operation: ServiceOperation, what: string, signal: AbortSignal): Promise<IService> {
  try {
    const [service] = await abortable(operation.promise(), signal)
    return plainService(service)
  } catch (error) {
    if ((isDatapubError(error) && error.code === 'ABORTED') || signal.aborted) {
      throw cloudrunError('ABORTED', `${what} was cancelled while Cloud Run was still working; the change may still complete.`, 'user', 'Check the service with `datapub status cloudrun`.', error)
    }
    const service = await services.getService({ name }).then(([s]) => s, () => undefined)
    if (service !== undefined && readiness(service) === 'failed') throw revisionFailed(service)
    throw mapGoogleError(error, what)
  }
}

/**
 * getService answers plain objects with enum names, but an operation's result is a protobufjs
 * message with numeric enums (the REST decoder's conversion is skipped for Any payloads).
 */
function plainService(service: IService): IService {
  const type = service?.constructor as { toObject?: (message: IService, options: object) => IService } | undefined
  return typeof type?.toObject === 'function' ? type.toObject(service, { enums: String, longs: String, defaults: false }) : service
}
