import type { Readable } from 'node:stream'
import type { ProviderOperations } from '../provider/provider-types.js'

/**
 * Optional operations migration uses when a provider has them. Not yet in the provider
 * contract: proposed there as optional members of ProviderOperations.
 */
export interface MigrationOperations extends ProviderOperations {
  /** Downloads one recorded input file of a deployment (`sources[].path` in its export). Now v1: GET /v5/now/deployments/:id/files/:uid. */
  fetchSource?(id: string, file: string, signal?: AbortSignal): Promise<Readable>
  /** Points the given aliases (host names) or all traffic at deployment `id`. */
  assignAliases?(id: string, aliases: string[], signal?: AbortSignal): Promise<string[]>
}
