import { z } from 'zod'
import type { AnyProviderDefinition } from '@datapub/core'
import { isServerOnlyOption } from './is-server-only-option.js'

export interface JsonSchemaObject {
  type?: string
  properties?: Record<string, Record<string, unknown>>
  required?: string[]
  [key: string]: unknown
}

/** The provider's option schema as JSON Schema (input side), without the options only the server may set. */
export function publicOptionSchema(definition: AnyProviderDefinition): JsonSchemaObject {
  const full = z.toJSONSchema(definition.options, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject
  const properties = Object.fromEntries(Object.entries(full.properties ?? {}).filter(([key]) => !isServerOnlyOption(key)))
  const required = (full.required ?? []).filter((key) => key in properties)
  const { $schema: _drop, ...rest } = full
  return { ...rest, properties, ...(required.length > 0 ? { required } : { required: [] }) }
}
