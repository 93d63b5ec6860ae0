// @datapub/core: the user API. Provider authors import from '@datapub/core/kit'; the zod schemas
// of the common options, CSV options and descriptors are in '@datapub/core/schemas'.
// Calls that need the pipeline, zod or migration load their modules on first use (lazyFunction),
// so importing this entry stays cheap (bench/import-cost.bench.mjs).
import { lazyFunction } from './util/lazy-function.js'

export { publish } from './publish/lazy-publish.js'
export type { PublishRequest, PublishOutcome } from './publish/publish-request.js'
export type { PublishRun } from './publish/run-publish.js'
export type { ResultStream } from './publish/with-result.js'
export type { PublishPlan, PlanStep } from './publish/plan/plan-publish.js'
export const planPublish = lazyFunction(async () => (await import('./publish/plan/plan-publish.js')).planPublish)
const manage = () => import('./publish/manage/manage-deployments.js')
export const listDeployments = lazyFunction(async () => (await manage()).listDeployments)
export const deploymentStatus = lazyFunction(async () => (await manage()).deploymentStatus)
export const destroyDeployment = lazyFunction(async () => (await manage()).destroyDeployment)
export const rollbackDeployment = lazyFunction(async () => (await manage()).rollbackDeployment)
export const exportDeployment = lazyFunction(async () => (await manage()).exportDeployment)
export const withProvider = lazyFunction(async () => (await manage()).withProvider)
export type { ManageRequest } from './publish/manage/manage-deployments.js'
export type { CommonOptions, CommonOptionsInput } from './publish/spec/common-options.js'
export const resolvePublishSpec = lazyFunction(async () => (await import('./publish/spec/resolve-spec.js')).resolvePublishSpec)
export type { PublishSpec, PublishInput } from './contract/publish-spec.js'
export { verifyDeployment } from './publish/stages/verify-deployment.js'
export { ProviderRegistry } from './provider/provider-registry.js'
export { BUILTIN_PROVIDERS } from './provider/builtin-providers.js'
export type * from './contract/provider-types.js'
export { createContainer, type ServiceOverrides } from './di/create-container.js'
export { createLogger } from './log/logger.js'
export { Tokens } from './di/tokens.js'
export { connectEngine } from './image/connect-engine.js'
export type { ContainerEngine } from './contract/container-engine.js'
export * from './errors/index.js'
export * from './events/index.js'
export { redactText, redactValue, registerSecret } from './http/redact.js'
export { csvsToSqlite, type ConversionReport, type ConvertHooks } from './data/csvs-to-sqlite.js'
export type { CsvOptions } from './data/csv-options-schema.js'
export { inspectDatabase, type InspectEntry } from './data/inspect-database.js'
export { writeInspectFile } from './data/write-inspect-file.js'
export { assertSqliteDatabase } from './data/assert-sqlite-database.js'
export { parseDate } from './data/parse-date.js'
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
export { pushImage, type PushImageResult } from './registry/push-image.js'
export { copyImage } from './registry/copy-image.js'
export { chainCredentials } from './registry/credentials/chain-credentials.js'
export { dockerConfigCredentials } from './registry/credentials/docker-config-credentials.js'
export type { CredentialRequest, CredentialResolver, RegistryCredentials, ResolvedCredentials } from './contract/registry-credentials.js'
export { pushEngineImage } from './publish/stages/push-engine-image.js'
export { DESCRIPTOR_SCHEMA } from './migrate/descriptor-kind.js'
export type { ParsedDescriptor } from './migrate/descriptor-schema.js'
export { assertNoSecretValues } from './migrate/assert-no-secret-values.js'
const descriptors = () => import('./migrate/write-descriptor.js')
export const writeDescriptor = lazyFunction(async () => (await descriptors()).writeDescriptor)
export const readDescriptor = lazyFunction(async () => (await descriptors()).readDescriptor)
export { resolveSecrets, readSecretsFile, type SecretSources } from './migrate/resolve-secrets.js'
export const importDeployment = lazyFunction(async () => (await import('./migrate/import-deployment.js')).importDeployment)
export type { ImportRequest, ImportResult } from './migrate/import-deployment.js'
export { chooseImportPath, type ImportPath, type ImportChoice } from './migrate/choose-import-path.js'
export { compareDeployments, type DeploymentComparison, type ServedDatabase } from './migrate/compare-deployments.js'
export { planMigration, type MigrationPlan, type MigrationPlanStep, type MigrationStepName } from './migrate/plan-migration.js'
export const migrateDeployment = lazyFunction(async () => (await import('./migrate/migrate-deployment.js')).migrateDeployment)
export type { MigrateRequest, MigrateResult, MigrationCheckpoint } from './migrate/migrate-deployment.js'
export const migrateBatch = lazyFunction(async () => (await import('./migrate/migrate-batch.js')).migrateBatch)
export type { BatchRequest, BatchSummary, BatchItemReport } from './migrate/migrate-batch.js'
export { MigrationJournal, type JournalItem, type JournalState } from './migrate/migration-journal.js'
export { parseBatchList, splitRef, type BatchItem } from './migrate/parse-batch-list.js'
export type { MigrationOperations } from './migrate/migration-operations.js'
export type { FetchSource } from './migrate/materialize-sources.js'
