import { isDatapubError, type ProviderRegistry } from '@datapub/core'
import { providerAvailability } from './provider-availability.js'
import { publicOptionSchema, type JsonSchemaObject } from './public-option-schema.js'

export interface ProviderInfo {
  name: string
  title: string
  description?: string
  available: boolean
  reason?: string
  /** JSON Schema of the options the browser may set. */
  options: JsonSchemaObject
}

/** Every known provider, loaded, with its public option schema and whether this server can use it. */
export async function listProviders(registry: ProviderRegistry, env: Readonly<Record<string, string | undefined>>): Promise<ProviderInfo[]> {
  return Promise.all(
    registry.known().map(async ({ name, title }): Promise<ProviderInfo> => {
      try {
        const definition = await registry.get(name)
        const availability = await providerAvailability(name, env)
        return {
          name,
          title: definition.title,
          ...(definition.description === undefined ? {} : { description: definition.description }),
          ...availability,
          options: publicOptionSchema(definition),
        }
      } catch (error) {
        const reason = isDatapubError(error) ? error.message : 'The provider failed to load.'
        return { name, title, available: false, reason, options: { type: 'object', properties: {}, required: [] } }
      }
    }),
  )
}
