import type { ProviderOperations } from '../contract/provider-types.js'

/** The operations migration uses; `fetchSource` and `assignAliases` are the contract's optional ones. */
export type MigrationOperations = ProviderOperations
