import { isDatapubError, waitUntil } from '@datapub/core/kit'
import type { v2 } from '@google-cloud/run'
import { cloudrunError, mapGoogleError } from './cloudrun-error.js'
import { readiness, type IService } from './service-state.js'
import { revisionFailed } from './wait-until-ready.js'
import { withQuotaRetry } from './with-quota-retry.js'

interface ServiceOperation {
  name?: string | null
  done?: boolean | null
  promise(): Promise<[IService, ...unknown[]]>
}

interface OperationState {
  done?: boolean | null
  result?: IService | null
  error?: unknown
}

/** Longest we follow one operation; readiness has its own --ready-timeout afterwards. */
const OPERATION_TIMEOUT_MS = 30 * 60_000

/**
 * Waits for a service long-running operation by reading it ourselves: each read goes through the
 * quota retry, so a 429 on a poll waits as long as the host asks and polls again, where the
 * client library's own poller would end the publish (CLOUDRUN_QUOTA_EXCEEDED). When it fails, the
 * service's terminal condition usually says why, which beats the operation's generic error.
 */
export async function awaitOperation(services: v2.ServicesClient, name: string, operation: ServiceOperation, what: string, signal: AbortSignal, kind: 'update' | 'delete' = 'update'): Promise<IService> {
  try {
    const opName = operation.name
    // Finished in the first answer, or nothing to poll by: the library decodes the result.
    if (operation.done === true || opName === undefined || opName === null || opName === '') {
      const [service] = await operation.promise()
      return plainService(service)
    }
    const check = (n: string): Promise<OperationState> => (kind === 'delete' ? services.checkDeleteServiceProgress(n) : services.checkUpdateServiceProgress(n)) as Promise<OperationState>
    const finished = await waitUntil<OperationState>({
      check: async () => {
        const state = await withQuotaRetry(`Reading the operation of ${what.toLowerCase()}`, () => check(opName), signal)
        return state.done === true ? { done: true, value: state } : { done: false, reason: 'operation still running' }
      },
      timeoutMs: OPERATION_TIMEOUT_MS,
      minDelayMs: 250,
      maxDelayMs: 5000,
      signal,
      timeout: { code: 'CLOUDRUN_OPERATION_TIMEOUT', message: `${what} did not finish`, hint: 'Check the service in the Cloud Run console; the change may still complete.', provider: 'cloudrun' },
    })
    if (finished.error !== undefined && finished.error !== null) throw finished.error
    return plainService(finished.result ?? {})
  } catch (error) {
    if (isDatapubError(error) && error.code === 'CLOUDRUN_OPERATION_TIMEOUT') throw error
    if ((isDatapubError(error) && error.code === 'ABORTED') || signal.aborted) {
      throw cloudrunError('ABORTED', `${what} was cancelled while Cloud Run was still working; the change may still complete.`, 'user', 'Check the service with `datapub status cloudrun`.', error)
    }
    if (isDatapubError(error) && error.code === 'CLOUDRUN_QUOTA_EXCEEDED') throw error
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
