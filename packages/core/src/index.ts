// @datapub/core: the user API. Provider authors import from '@datapub/core/kit'.
export { publish, type PublishRequest, type PublishOutcome, type PublishRun } from './publish/run-publish.js'
export type { ResultStream } from './publish/with-result.js'
export { planPublish, type PublishPlan, type PlanStep } from './publish/plan/plan-publish.js'
export {
  listDeployments,
  deploymentStatus,
  destroyDeployment,
  rollbackDeployment,
  exportDeployment,
  withProvider,
  type ManageRequest,
} from './publish/manage/manage-deployments.js'
export { commonOptionsSchema, type CommonOptions, type CommonOptionsInput } from './publish/spec/common-options.js'
export { resolvePublishSpec } from './publish/spec/resolve-spec.js'
export type { PublishSpec, PublishInput } from './contract/publish-spec.js'
export { verifyDeployment } from './publish/stages/verify-deployment.js'
export { ProviderRegistry } from './provider/provider-registry.js'
export { BUILTIN_PROVIDERS } from './provider/builtin-providers.js'
export type * from './contract/provider-types.js'
export { createContainer, type ServiceOverrides } from './di/create-container.js'
export { Tokens } from './di/tokens.js'
export { connectEngine } from './image/connect-engine.js'
export type { ContainerEngine } from './contract/container-engine.js'
export * from './errors/index.js'
export * from './events/index.js'
export { redactText, redactValue, registerSecret } from './http/redact.js'
export * from './data/index.js'
export {
  analyzeImage,
  analyzeRegistryImage,
  formatImageReport,
  checkBudget,
  assertWithinBudget,
  createBuildContext,
  buildImage,
  renderDockerfile,
  showFiles,
  type ImageReport,
  type BudgetFinding,
  type BuildContext,
} from './image/index.js'
export { RegistryClient } from './registry/registry-client.js'
export { MEDIA_TYPES, type ManifestFormat } from './registry/media-types.js'
export { parseImageReference, formatImageReference } from './registry/image-reference.js'
export { blobFromFile, blobFromBuffer, blobFromStream } from './registry/blob-source.js'
export { pushImage } from './registry/push-image.js'
export { copyImage } from './registry/copy-image.js'
export { chainCredentials } from './registry/credentials/chain-credentials.js'
export { dockerConfigCredentials } from './registry/credentials/docker-config-credentials.js'
export { herokuCredentials } from './registry/credentials/heroku-credentials.js'
export { googleCredentials } from './registry/credentials/google-credentials.js'
export { ecrCredentials } from './registry/credentials/ecr-credentials.js'
export { pushEngineImage } from './publish/stages/push-engine-image.js'
export * from './migrate/index.js'
