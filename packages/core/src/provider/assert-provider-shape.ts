import { DatapubError } from '../errors/datapub-error.js'
import { PROVIDER_API_VERSION, type AnyProviderDefinition } from '../contract/provider-types.js'

export const PROVIDER_NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const ACCEPTS = new Set(['image', 'context', 'bundle'])

/** Validates a provider value from any source (built in, plugin package, path). */
export function assertProviderShape(value: unknown, origin: string): asserts value is AnyProviderDefinition {
  const fail = (problem: string): never => {
    throw new DatapubError('PROVIDER_INVALID', `Provider from ${origin} is malformed: ${problem}.`, {
      fault: 'user',
      hint: 'A provider module must export a value made by defineProvider() from @datapub/core/kit, as its default export or as `provider`.',
    })
  }
  if (typeof value !== 'object' || value === null) return fail('it is not an object')
  const p = value as Partial<AnyProviderDefinition>
  if (typeof p.name !== 'string' || !PROVIDER_NAME_PATTERN.test(p.name)) fail(`name ${JSON.stringify(p.name)} is not a kebab-case id`)
  if (typeof p.apiVersion !== 'number') fail('apiVersion is missing')
  if (p.apiVersion !== PROVIDER_API_VERSION) {
    throw new DatapubError('PROVIDER_API_VERSION', `Provider "${p.name}" from ${origin} speaks contract version ${String(p.apiVersion)}; this datapub speaks ${PROVIDER_API_VERSION}.`, {
      hint: 'Upgrade the provider package, or datapub, so that both speak the same contract version.',
    })
  }
  if (typeof p.title !== 'string' || p.title.length === 0) fail('title is missing')
  if (typeof p.options !== 'object' || p.options === null || typeof (p.options as { safeParse?: unknown }).safeParse !== 'function' || !('shape' in p.options)) fail('options is not a zod object schema')
  if (typeof p.limits !== 'object' || p.limits === null) fail('limits is missing')
  if (!ACCEPTS.has(p.accepts as string)) fail(`accepts must be image, context or bundle, not ${JSON.stringify(p.accepts)}`)
  if (typeof p.create !== 'function') fail('create is not a function')
}
