import type { ServiceOverrides } from '../../di/create-container.js'
import { createContainer } from '../../di/create-container.js'
import { Tokens } from '../../di/tokens.js'
import type { ServiceContainer } from '../../di/service-container.js'
import type { DeploymentResult } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, DeploymentDescriptor, DeploymentSummary, ProviderOperations } from '../../contract/provider-types.js'
import { parseOptions } from '../spec/parse-options.js'
import { createOperations } from '../stages/collect-publish.js'

export interface ManageRequest {
  provider: string | AnyProviderDefinition
  providerOptions?: Record<string, unknown>
  signal?: AbortSignal
  services?: ServiceOverrides
  container?: ServiceContainer
  /** Receives events providers emit while managing (status polling, progress). */
  onEvent?: Parameters<typeof createOperations>[3]
}

/** Runs one provider operation outside a publish (list, status, destroy, rollback, export). */
export async function withProvider<T>(request: ManageRequest, work: (ops: ProviderOperations, signal: AbortSignal) => Promise<T>): Promise<T> {
  const root = request.container ?? createContainer(request.services)
  const services = root.createChild()
  const signal = request.signal ?? new AbortController().signal
  try {
    const definition = await services.resolve(Tokens.ProviderRegistry).get(request.provider)
    const options = parseOptions(definition.options, request.providerOptions ?? {}, `${definition.name} options`)
    const operations = await createOperations(definition, options, services, request.onEvent ?? (() => {}), signal)
    return await work(operations, signal)
  } finally {
    await services.dispose().catch(() => undefined)
  }
}

export const listDeployments = (request: ManageRequest): Promise<DeploymentSummary[]> => withProvider(request, (ops, signal) => ops.list(signal))
export const deploymentStatus = (request: ManageRequest, id: string): Promise<DeploymentSummary> => withProvider(request, (ops, signal) => ops.status(id, signal))
export const destroyDeployment = (request: ManageRequest, id: string): Promise<void> => withProvider(request, (ops, signal) => ops.destroy(id, signal))
export const rollbackDeployment = (request: ManageRequest, id: string): Promise<DeploymentResult> => withProvider(request, (ops, signal) => ops.rollback(id, signal))
export const exportDeployment = (request: ManageRequest, id: string): Promise<DeploymentDescriptor> => withProvider(request, (ops, signal) => ops.export(id, signal))
