import type { ServiceOverrides } from '../di/create-container.js'
import { createContainer } from '../di/create-container.js'
import type { ServiceContainer } from '../di/service-container.js'
import { Tokens } from '../di/tokens.js'
import { runsEngineImages } from '../provider/runs-engine-images.js'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import type { DeploymentResult, Emit } from '../contract/publish-event.js'
import type { AnyProviderDefinition, DeploymentDescriptor, PushTarget } from '../contract/provider-types.js'
import { withProvider } from '../publish/manage/manage-deployments.js'
import { parseProviderOptions } from '../publish/spec/parse-provider-options.js'
import { parseImageReference } from '../registry/image-reference.js'
import { assertNoSecretValues } from './assert-no-secret-values.js'
import { compareDeployments, type DeploymentComparison } from './compare-deployments.js'
import { parseDescriptor } from './descriptor-schema.js'
import { importDeployment, type ImportResult } from './import-deployment.js'
import { importSpec } from './import-spec.js'
import type { MigrationOperations } from './migration-operations.js'
import { planMigration, type MigrationPlan, type MigrationStepName } from './plan-migration.js'
import { resolveSecrets, type SecretSources } from './resolve-secrets.js'

/**
 * Where a migration records finished steps. The batch runner backs it with its SQLite journal so
 * an interrupted run resumes after the last committed step; a single migration keeps it in memory.
 */
export interface MigrationCheckpoint {
  /** The saved output of a finished step, or undefined when it has not finished. */
  get(step: MigrationStepName): unknown
  /** Committed before the step does anything. */
  begin(step: MigrationStepName): void
  /** Committed after the step finished, with what later steps (or a resumed run) need. */
  done(step: MigrationStepName, output: unknown): void
}

export interface MigrateRequest {
  from: { provider: string | AnyProviderDefinition; id: string; providerOptions?: Record<string, unknown> }
  to: { provider: string | AnyProviderDefinition; providerOptions?: Record<string, unknown>; name?: string }
  /** Without it, only the plan is made (the export is read, nothing changes). */
  apply?: boolean
  switch?: boolean
  destroySource?: boolean
  secrets?: SecretSources
  sourcesDir?: string
  sourceRegistry?: { credentials?: PushTarget['credentials']; insecure?: boolean }
  verifyTimeoutMs?: number
  fetch?: typeof fetch
  signal?: AbortSignal
  services?: ServiceOverrides
  container?: ServiceContainer
  onEvent?: Emit
  onStep?: (step: MigrationStepName, state: 'start' | 'done' | 'skip', detail: string) => void
  checkpoint?: MigrationCheckpoint
}

export type MigrateResult =
  | { kind: 'planned'; plan: MigrationPlan; descriptor: DeploymentDescriptor }
  | {
      kind: 'migrated'
      plan: MigrationPlan
      descriptor: DeploymentDescriptor
      deployment: DeploymentResult
      importPath: ImportResult['path']
      comparison?: DeploymentComparison
      switched: string[]
      sourceDestroyed: boolean
    }

/**
 * export → plan → import → verify → (switch) → (destroy source). Dry run by default. The source
 * is only ever read, except by --destroy-source after verification passed; a failed
 * verification stops with MIGRATE_VERIFY_MISMATCH and the source keeps serving.
 */
export async function migrateDeployment(request: MigrateRequest): Promise<MigrateResult> {
  const container = request.container ?? createContainer(request.services)
  const checkpoint = request.checkpoint ?? memoryCheckpoint()
  const emit = request.onEvent ?? (() => {})
  const signal = request.signal ?? new AbortController().signal
  const manage = { container, signal, onEvent: emit }
  const step = async <T>(name: MigrationStepName, detail: string, work: () => Promise<T>): Promise<T> => {
    const saved = checkpoint.get(name)
    if (saved !== undefined) {
      request.onStep?.(name, 'skip', `${detail} (done in an earlier run)`)
      return saved as T
    }
    if (signal.aborted) throw new DatapubError('ABORTED', `Cancelled before ${name}.`)
    checkpoint.begin(name)
    request.onStep?.(name, 'start', detail)
    const output = await work()
    checkpoint.done(name, output ?? null)
    request.onStep?.(name, 'done', detail)
    return output
  }

  // The target's provider and flags are checked before the source is read: a mistyped flag must
  // not cost an export (which can be slow, or billed) first.
  const targetDefinition = await container.resolve(Tokens.ProviderRegistry).get(request.to.provider)
  const targetOptions = parseProviderOptions(targetDefinition, request.to.providerOptions)
  return withProvider({ ...manage, provider: request.from.provider, ...(request.from.providerOptions ? { providerOptions: request.from.providerOptions } : {}) }, async (ops) => {
    const source = ops as MigrationOperations
    const descriptor = parseDescriptor(
      await step('export', `export ${request.from.id}`, async () => {
        const exported = parseDescriptor(await source.export(request.from.id, signal), `the export of ${request.from.id}`)
        assertNoSecretValues(exported)
        return exported
      }),
      'the saved export',
    )
    const sourceRunsEngineImages = await runsEngineImages(container.resolve(Tokens.ProviderRegistry), descriptor.provider)
    return withProvider({ ...manage, provider: targetDefinition, providerOptions: request.to.providerOptions ?? {} }, async (o): Promise<MigrateResult> => {
      const targetOps = o as MigrationOperations
      const name = request.to.name ?? descriptor.name
      let missingSecrets: string[] = []
      try {
        resolveSecrets(descriptor.envNames, { env: container.resolve(Tokens.Env), ...request.secrets })
      } catch (error) {
        if (!isDatapubError(error) || error.code !== 'MIGRATE_SECRET_MISSING') throw error
        missingSecrets = (error.details?.missing as string[] | undefined) ?? []
      }
      const fetchSource = source.fetchSource === undefined ? undefined : (file: string, s?: AbortSignal) => source.fetchSource!(request.from.id, file, s)
      const plan = planMigration({
        descriptor,
        target: targetDefinition,
        accepts: targetDefinition.artifactFor?.(targetOptions as never) ?? targetDefinition.accepts,
        hasPushTarget: targetOps.pushTarget !== undefined,
        sourceRunsEngineImages,
        name,
        sourcesAvailable: request.sourcesDir !== undefined || (fetchSource !== undefined && (descriptor.sources?.length ?? 0) > 0),
        missingSecrets,
        switchTraffic: request.switch === true,
        canSwitch: targetOps.assignAliases !== undefined,
        destroySource: request.destroySource === true,
      })
      if (!request.apply) return { kind: 'planned', plan, descriptor }
      if (plan.problems.length > 0) {
        if (missingSecrets.length > 0) resolveSecrets(descriptor.envNames, { env: container.resolve(Tokens.Env), ...request.secrets })
        throw new DatapubError('MIGRATE_PLAN_BLOCKED', `The migration of ${descriptor.provider}:${descriptor.id} cannot run: ${plan.problems.join('; ')}.`, { fault: 'user', hint: 'Run without --apply to see the plan.', details: { problems: plan.problems } })
      }

      const imported = await step('import', `deploy ${name} on ${targetDefinition.title}`, async () => {
        const sourceRegistry = request.sourceRegistry ?? (await sourceRegistryAccess(source, descriptor, sourceRunsEngineImages, signal))
        return importDeployment({
          descriptor,
          to: targetDefinition,
          providerOptions: request.to.providerOptions ?? {},
          name,
          ...(request.secrets === undefined ? {} : { secrets: request.secrets }),
          ...(request.sourcesDir === undefined ? {} : { sourcesDir: request.sourcesDir }),
          ...(fetchSource === undefined ? {} : { fetchSource }),
          ...(sourceRegistry === undefined ? {} : { sourceRegistry }),
          container,
          signal,
          onEvent: emit,
        })
      })

      let comparison: DeploymentComparison | undefined
      if (descriptor.url !== undefined) {
        comparison = await step('verify', `compare ${descriptor.url} with ${imported.deployment.url}`, async () => {
          const compared = await compareDeployments(descriptor.url!, imported.deployment.url, { signal, timeoutMs: request.verifyTimeoutMs ?? 60_000, ...(request.fetch ? { fetch: request.fetch } : {}) })
          if (!compared.same) {
            throw new DatapubError('MIGRATE_VERIFY_MISMATCH', `${imported.deployment.url} does not serve the same data as ${descriptor.url}: ${compared.differences.join('; ')}.`, {
              fault: 'user',
              hint: `The source was left untouched and keeps serving. Inspect the new deployment, or remove it with \`datapub destroy ${targetDefinition.name} ${imported.deployment.id}\`.`,
              details: { source: descriptor.url, target: imported.deployment.url, differences: compared.differences },
            })
          }
          return compared
        })
      } else request.onStep?.('verify', 'skip', 'the source has no URL to compare against')

      let switched: string[] = []
      if (request.switch) {
        if (targetOps.assignAliases === undefined) request.onStep?.('switch', 'skip', `${targetDefinition.title} cannot switch aliases or traffic; point DNS at ${imported.deployment.url}`)
        else switched = await step('switch', 'move aliases', () => targetOps.assignAliases!(imported.deployment.id, descriptor.aliases ?? [], signal))
      }
      let sourceDestroyed = false
      if (request.destroySource) {
        if (comparison?.same !== true) throw new DatapubError('MIGRATE_PLAN_BLOCKED', 'The source is only destroyed after verification passed.', { fault: 'user' })
        await step('destroy-source', `destroy ${descriptor.provider}:${descriptor.id}`, async () => (await source.destroy(request.from.id, signal), true))
        sourceDestroyed = true
      }
      return { kind: 'migrated', plan, descriptor, deployment: imported.deployment, importPath: imported.path, ...(comparison ? { comparison } : {}), switched, sourceDestroyed }
    })
  })
}

/**
 * The source host's registry wants the same credentials its push target uses (Heroku: `_` and
 * the API key). The contract has no read-only way to ask, so the push target is used when it
 * names the registry the image is in.
 */
async function sourceRegistryAccess(source: MigrationOperations, descriptor: DeploymentDescriptor, onEngine: boolean, signal: AbortSignal): Promise<MigrateRequest['sourceRegistry']> {
  if (descriptor.image === undefined || onEngine || source.pushTarget === undefined) return undefined
  const registry = descriptor.image.registry || parseImageReference(descriptor.image.ref).registry
  const target = await source.pushTarget({ name: descriptor.name, spec: importSpec(descriptor.name, {}, {}, 8001), contextHash: 'sha256:000000000000' }, signal).catch(() => undefined)
  if (target === undefined || target.registry !== registry) return undefined
  return { ...(target.credentials === undefined ? {} : { credentials: target.credentials }), ...(target.insecure ? { insecure: true } : {}) }
}

function memoryCheckpoint(): MigrationCheckpoint {
  const done = new Map<MigrationStepName, unknown>()
  return { get: (s) => done.get(s), begin: () => {}, done: (s, output) => void done.set(s, output) }
}
