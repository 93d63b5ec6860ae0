import { DatapubError } from '../../errors/datapub-error.js'
import type { Emit } from '../../contract/publish-event.js'
import type { ServiceContainer } from '../../di/service-container.js'
import { Tokens } from '../../di/tokens.js'
import type { AnyProviderDefinition, ProviderContext, ProviderOperations } from '../../contract/provider-types.js'
import { bindSignals } from '../../provider/bind-signals.js'
import { parseProviderOptions } from '../spec/parse-provider-options.js'
import { resolvePublishSpec } from '../spec/resolve-spec.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import type { PublishRequest } from '../publish-request.js'

export interface Collected {
  spec: PublishSpec
  definition: AnyProviderDefinition
  operations: ProviderOperations
}

/** Resolves the provider, validates every option, creates the provider and checks auth: before any work. */
export async function collectPublish(request: PublishRequest, services: ServiceContainer, emit: Emit, signal: AbortSignal): Promise<Collected> {
  const definition = await services.resolve(Tokens.ProviderRegistry).get(request.provider)
  const providerOptions = parseProviderOptions(definition, request.providerOptions)
  const env = services.resolve(Tokens.Env)
  const spec = await resolvePublishSpec({ ...request.options, files: request.files }, { env, providerOptions, ...(request.cwd === undefined ? {} : { cwd: request.cwd }) })
  assertName(spec.name, definition)
  const operations = await createOperations(definition, providerOptions, services, emit, signal)
  if (spec.generateDir === undefined) {
    const auth = await operations.checkAuth(signal)
    emit({ type: 'log', level: 'info', message: `${definition.title}: ready${auth.account ? ` as ${auth.account}` : ''}` })
  }
  return { spec, definition, operations }
}

export function assertName(name: string, definition: AnyProviderDefinition): void {
  const rule = definition.limits.namePattern
  if (rule !== undefined && !new RegExp(rule.value).test(name)) {
    throw new DatapubError('CONFIG_INVALID', `name: "${name}" is not a valid ${definition.title} deployment name (must match ${rule.value}).`, {
      path: 'name',
      hint: `Choose a name that matches ${rule.value} (${rule.source}).`,
    })
  }
}

/** Builds the context a provider gets and calls its create(). */
export async function createOperations(definition: AnyProviderDefinition, options: Record<string, unknown>, services: ServiceContainer, emit: Emit, signal: AbortSignal): Promise<ProviderOperations> {
  const context: ProviderContext<Record<string, unknown>> = {
    options,
    provider: definition.name,
    http: services.resolve(Tokens.HttpClientFactory),
    emit,
    logger: services.resolve(Tokens.Logger),
    signal,
    engine: services.resolve(Tokens.EngineFactory),
    env: services.resolve(Tokens.Env),
  }
  return bindSignals(await definition.create(context as never), signal)
}
