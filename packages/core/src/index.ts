// @datapub/core: the user API. Provider authors import from '@datapub/core/kit'.
export { publish, type PublishRequest, type PublishOutcome } from './publish/run-publish.js'
export { planPublish, type PublishPlan, type PlanStep } from './publish/plan-publish.js'
export {
  listDeployments,
  deploymentStatus,
  destroyDeployment,
  rollbackDeployment,
  exportDeployment,
  withProvider,
  type ManageRequest,
} from './publish/manage-deployments.js'
export { commonOptionsSchema, type CommonOptions, type CommonOptionsInput } from './publish/common-options.js'
export { resolvePublishSpec } from './publish/resolve-spec.js'
export type { PublishSpec, PublishInput } from './publish/publish-spec.js'
export { verifyDeployment } from './publish/verify-deployment.js'
export { ProviderRegistry } from './provider/provider-registry.js'
export { BUILTIN_PROVIDERS } from './provider/builtin-providers.js'
export type * from './provider/provider-types.js'
export { createContainer, type ServiceOverrides } from './di/create-container.js'
export { Tokens } from './di/tokens.js'
export { connectEngine } from './image/connect-engine.js'
export type { ContainerEngine } from './image/container-engine.js'
export * from './errors/index.js'
export * from './events/index.js'
export { redactText, redactValue, registerSecret } from './http/redact.js'
export * from './data/index.js'
