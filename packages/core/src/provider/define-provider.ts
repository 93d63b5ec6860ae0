import type { ProviderDefinition, ProviderOptionsSchema } from '../contract/provider-types.js'
import { assertProviderShape } from './assert-provider-shape.js'

/**
 * Declares a provider. Identity at the type level (so options infer), checked at run time so a
 * malformed plugin fails when it is defined, with a coded error, not deep inside a publish.
 */
export function defineProvider<S extends ProviderOptionsSchema>(definition: ProviderDefinition<S>): ProviderDefinition<S> {
  assertProviderShape(definition, definition?.name ?? '(unnamed provider)')
  return Object.freeze(definition)
}
