import type { ServiceOverrides } from '../../di/create-container.js'
import { createContainer } from '../../di/create-container.js'
import { Tokens } from '../../di/tokens.js'
import type { ServiceContainer } from '../../di/service-container.js'
import type { DeploymentResult } from '../../contract/publish-event.js'
import type { DeploymentDescriptor, DeploymentSummary, ProviderOperations, ProviderOptionsOf, ProviderRef } from '../../contract/provider-types.js'
import { parseProviderOptions } from '../spec/parse-provider-options.js'
import { createOperations } from '../stages/collect-publish.js'

export interface ManageRequest<P extends ProviderRef = ProviderRef> {
  provider: P
  /** Typed per provider like publish's; unknown keys refused. */
  providerOptions?: ProviderOptionsOf<P>
  signal?: AbortSignal
  services?: ServiceOverrides
  container?: ServiceContainer
  /** Receives events providers emit while managing (status polling, progress). */
  onEvent?: Parameters<typeof createOperations>[3]
}

/** Runs one provider operation outside a publish (list, status, destroy, rollback, export). */
export async function withProvider<T, P extends ProviderRef = ProviderRef>(typed: ManageRequest<P>, work: (ops: ProviderOperations, signal: AbortSignal) => Promise<T>): Promise<T> {
  const request = typed as ManageRequest
  const root = request.container ?? createContainer(request.services)
  const services = root.createChild()
  const signal = request.signal ?? new AbortController().signal
  try {
    const definition = await services.resolve(Tokens.ProviderRegistry).get(request.provider)
    const options = parseProviderOptions(definition, request.providerOptions)
    const operations = await createOperations(definition, options, services, request.onEvent ?? (() => {}), signal)
    return await work(operations, signal)
  } finally {
    await services.dispose().catch(() => undefined)
  }
}

export const listDeployments = <P extends ProviderRef>(request: ManageRequest<P>): Promise<DeploymentSummary[]> => withProvider(request, (ops, signal) => ops.list(signal))
export const deploymentStatus = <P extends ProviderRef>(request: ManageRequest<P>, id: string): Promise<DeploymentSummary> => withProvider(request, (ops, signal) => ops.status(id, signal))
export const destroyDeployment = <P extends ProviderRef>(request: ManageRequest<P>, id: string): Promise<void> => withProvider(request, (ops, signal) => ops.destroy(id, signal))
export const rollbackDeployment = <P extends ProviderRef>(request: ManageRequest<P>, id: string): Promise<DeploymentResult> => withProvider(request, (ops, signal) => ops.rollback(id, signal))
export const exportDeployment = <P extends ProviderRef>(request: ManageRequest<P>, id: string): Promise<DeploymentDescriptor> => withProvider(request, (ops, signal) => ops.export(id, signal))
