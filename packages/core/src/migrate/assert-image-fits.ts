import { DatapubError } from '../errors/datapub-error.js'
import type { AnyProviderDefinition } from '../contract/provider-types.js'

/**
 * Checks an image against the target's `imageBytes` limit before anything is uploaded.
 * `lowerBound` marks a size that can only grow once unpacked (compressed layers from a
 * registry): it fails only when even that is over, never on a guess.
 */
export function assertImageFits(bytes: number, target: AnyProviderDefinition, how: 'exact' | 'lowerBound'): void {
  const limit = target.limits.imageBytes
  if (limit === undefined || bytes <= limit.value) return
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`
  throw new DatapubError('IMAGE_OVER_BUDGET', `The image is ${how === 'exact' ? '' : 'at least '}${mib(bytes)}, over ${target.title}'s ${mib(limit.value)} limit.`, {
    fault: 'user',
    provider: target.name,
    hint: `${limit.source}. Migrate to a host with a larger limit, or republish with less data.`,
    details: { bytes, limit: limit.value },
  })
}
