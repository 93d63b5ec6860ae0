import { DatapubError } from '../../errors/datapub-error.js'
import { didYouMean } from '../../errors/did-you-mean.js'
import type { AnyProviderDefinition } from '../../contract/provider-types.js'
import { parseOptions } from './parse-options.js'

/**
 * A provider's options from a library caller: a key its schema does not know is refused, as the
 * CLI refuses an unknown flag, rather than dropped (a misspelt `projcet` would otherwise deploy
 * to the default project).
 */
export function parseProviderOptions(definition: AnyProviderDefinition, input: Record<string, unknown> | undefined, prefix?: string): Record<string, unknown> {
  const known = Object.keys(definition.options.shape)
  const unknown = Object.keys(input ?? {}).filter((key) => !known.includes(key))
  if (unknown.length > 0) {
    const first = unknown[0] as string
    const guess = didYouMean(first, known)
    throw new DatapubError('CONFIG_INVALID', `Unknown ${definition.name} option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}.${guess === undefined ? '' : ` Did you mean "${guess}"?`}`, {
      path: prefix === undefined ? first : `${prefix}.${first}`,
      provider: definition.name,
      hint: known.length > 0 ? `${definition.title} takes: ${known.join(', ')}.` : `${definition.title} takes no options.`,
      details: { unknown, known },
    })
  }
  return parseOptions(definition.options, input ?? {}, `${definition.name} options`, prefix)
}
