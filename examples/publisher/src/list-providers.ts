import { isDatapubError, type ProviderRegistry } from '@datapub/core'
import { providerAvailability } from './provider-availability.js'
import { PROVIDER_LABELS } from './provider-labels.js'
import { publicOptionSchema, type JsonSchemaObject } from './public-option-schema.js'
import { forVisitors } from './visitor-text.js'

export interface ProviderInfo {
  name: string
  /** Plain words for the page (see provider-labels.ts). */
  title: string
  description?: string
  available: boolean
  /** Why it cannot be used, in words for the page. */
  reason?: string
  /** JSON Schema of the options the browser may set (the page's "Advanced" settings). */
  options: JsonSchemaObject
}

export interface ProviderListing {
  /** What the page gets. */
  providers: ProviderInfo[]
  /** For the operator's log: what each unavailable provider lacks, naming env variables. */
  operatorHints: Record<string, string>
}

/** Every known provider, loaded, with its public option schema and whether this server can use it. */
export async function listProviders(registry: ProviderRegistry, env: Readonly<Record<string, string | undefined>>): Promise<ProviderListing> {
  const envNames = Object.keys(env)
  const text = (value: string) => forVisitors(value, envNames)
  const operatorHints: Record<string, string> = {}
  const providers = await Promise.all(
    registry.known().map(async ({ name, title }): Promise<ProviderInfo> => {
      const label = PROVIDER_LABELS[name]
      try {
        const definition = await registry.get(name)
        const { operatorHint, ...availability } = await providerAvailability(name, env)
        if (operatorHint !== undefined) operatorHints[name] = operatorHint
        const description = label?.description ?? definition.description
        return {
          name,
          title: label?.title ?? text(definition.title),
          ...(description === undefined ? {} : { description: text(description) }),
          ...availability,
          options: visitorSchema(publicOptionSchema(definition), label?.options ?? {}, text),
        }
      } catch (error) {
        operatorHints[name] = isDatapubError(error) ? error.message : 'The provider failed to load.'
        return { name, title: label?.title ?? text(title), available: false, reason: 'Not available on this server.', options: { type: 'object', properties: {}, required: [] } }
      }
    }),
  )
  return { providers, operatorHints }
}

function visitorSchema(schema: JsonSchemaObject, plain: Readonly<Record<string, string>>, text: (value: string) => string): JsonSchemaObject {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, property]) => {
      const description = plain[key] ?? property.description
      return [key, typeof description === 'string' ? { ...property, description: text(description) } : property]
    }),
  )
  return { ...schema, properties }
}
