import type { ProviderDefinition, ProviderDefinitionInput, ProviderOptionsSchema } from '../contract/provider-types.js'
import { assertProviderShape } from './assert-provider-shape.js'
import { bindSignals } from './bind-signals.js'

/**
 * Declares a provider. Identity at the type level (so options infer), checked at run time so a
 * malformed plugin fails when it is defined, with a coded error, not deep inside a publish.
 * The operations create() returns get one signal per call (see bindSignals).
 */
export function defineProvider<S extends ProviderOptionsSchema>(input: ProviderDefinitionInput<S>): ProviderDefinition<S> {
  assertProviderShape(input, input?.name ?? '(unnamed provider)')
  const create = input.create
  const definition: ProviderDefinition<S> = {
    ...input,
    async create(context) {
      return bindSignals(await create.call(input, context), context.signal)
    },
  }
  return Object.freeze(definition)
}
