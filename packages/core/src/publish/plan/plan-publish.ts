import { createContainer } from '../../di/create-container.js'
import { Tokens } from '../../di/tokens.js'
import type { Stage } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, ArtifactKind, ProviderLimits, ProviderRef } from '../../contract/provider-types.js'
import type { ServiceContainer } from '../../di/service-container.js'
import { parseProviderOptions } from '../spec/parse-provider-options.js'
import { resolvePublishSpec } from '../spec/resolve-spec.js'
import { assertName, createOperations } from '../stages/collect-publish.js'
import { planAppend, type AppendPlan } from './plan-append.js'
import { skipReason, type SkipFacts } from '../stages/skip-reason.js'
import { PUBLISH_STAGES } from '../stages/publish-stages.js'
import type { PublishRequest } from '../publish-request.js'

export interface PlanStep {
  stage: Stage
  action: string
  skipped?: string
}

export interface PublishPlan {
  schema: 'datapub.plan/v1'
  provider: { name: string; title: string; accepts: ArtifactKind; limits: ProviderLimits }
  name: string
  inputs: Array<{ path: string; kind: string; bytes: number }>
  databases: string[]
  builder: 'engine' | 'append' | 'remote' | 'bundle'
  /** With --builder append: what it will send (or load into the local engine), estimated from the inputs. */
  transfer?: AppendPlan['transfer']
  /** What publish would trip over that plan can see without calling the host (missing credentials). */
  warnings: string[]
  /** Names of the variables set at deploy time. Never their values. */
  envNames: string[]
  metadataKeys: string[]
  steps: PlanStep[]
}

/**
 * A dry run: validates everything publish would (provider, options, inputs) and maps each stage
 * value's plan(), skipped where skipReason says so (the rule publish follows), without converting
 * data, touching an engine or calling the host.
 */
export async function planPublish<P extends ProviderRef>(typed: PublishRequest<P>): Promise<PublishPlan> {
  const request = typed as PublishRequest
  const services = (request.container ?? createContainer(request.services)).createChild()
  try {
    const definition = await services.resolve(Tokens.ProviderRegistry).get(request.provider)
    const providerOptions = parseProviderOptions(definition, request.providerOptions)
    const spec = await resolvePublishSpec({ ...request.options, files: request.files }, { env: services.resolve(Tokens.Env), providerOptions, ...(request.cwd === undefined ? {} : { cwd: request.cwd }) })
    assertName(spec.name, definition)
    const env = services.resolve(Tokens.Env)
    const missingCredentials = spec.generateDir === undefined ? await definition.missingCredentials?.(providerOptions as never, env) : undefined
    const tabular = spec.inputs.filter((i) => i.kind !== 'sqlite')
    const databases = [...(tabular.length > 0 ? [spec.databaseName] : []), ...spec.inputs.filter((i) => i.kind === 'sqlite').map((i) => i.given)]
    const accepts = definition.artifactFor?.(providerOptions as never) ?? definition.accepts
    const image = accepts === 'image'
    const generate = spec.generateDir !== undefined
    const pushes = image && !generate ? await hasRegistry(definition, providerOptions, services) : false
    const append = image && !generate && spec.builder === 'append' ? await planAppend(spec, definition, pushes, services.resolve(Tokens.Pipeline), services.resolve(Tokens.Env)) : undefined
    const facts: SkipFacts = { definition, accepts, generate, verify: spec.verify, pushes, append: append?.builder === 'append' }
    const input = { spec, definition, accepts, append, tabular: tabular.length, databases }
    const steps: PlanStep[] = PUBLISH_STAGES.map((value) => {
      const action = value.plan(input)
      const skipped = skipReason(value.name, facts)
      return skipped === undefined ? { stage: value.name, action } : { stage: value.name, action, skipped }
    })
    return {
      schema: 'datapub.plan/v1',
      provider: { name: definition.name, title: definition.title, accepts, limits: definition.limits },
      name: spec.name,
      inputs: spec.inputs.map((i) => ({ path: i.given, kind: i.kind, bytes: i.bytes })),
      databases,
      builder: append !== undefined ? append.builder : image ? 'engine' : accepts === 'context' ? 'remote' : 'bundle',
      ...(append?.transfer === undefined ? {} : { transfer: append.transfer }),
      warnings: missingCredentials === undefined ? [] : [`${definition.title} credentials: ${missingCredentials}`],
      envNames: Object.keys(spec.env).sort(),
      metadataKeys: Object.keys(spec.metadata).sort(),
      steps,
    }
  } finally {
    await services.dispose().catch(() => undefined)
  }
}

/** Whether the provider pushes to a registry; create() only builds operations, it calls no host. */
async function hasRegistry(definition: AnyProviderDefinition, options: Record<string, unknown>, services: ServiceContainer): Promise<boolean> {
  const operations = await createOperations(definition, options, services, () => undefined, new AbortController().signal)
  return operations.pushTarget !== undefined
}
