import type { FlagSpec } from './flag-spec.js'

interface JsonSchemaProperty {
  type?: string | string[]
  description?: string
  default?: unknown
  enum?: unknown[]
  items?: JsonSchemaProperty
  prefixItems?: JsonSchemaProperty[]
  anyOf?: JsonSchemaProperty[]
}

interface JsonObjectSchema {
  properties?: Record<string, JsonSchemaProperty>
  required?: string[]
}

const SHORT: Record<string, string> = { metadata: '-m', name: '-n' }

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * Flags from an object's JSON schema (zod's toJSONSchema, input side). Takes JSON, not zod, so
 * the common flags can be generated at build time and `--help` never loads zod.
 */
export function deriveFlags(schema: JsonObjectSchema, group: string, skip: ReadonlySet<string> = new Set()): FlagSpec[] {
  const required = new Set(schema.required ?? [])
  const flags: FlagSpec[] = []
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    if (skip.has(key)) continue
    const property = raw.anyOf?.find((p) => p.type !== 'null') ?? raw
    const type = Array.isArray(property.type) ? property.type.find((t) => t !== 'null') : property.type
    const isTuple = type === 'array' && property.items?.prefixItems !== undefined
    const kind: FlagSpec['kind'] = type === 'object' ? 'map' : isTuple ? 'tuple-list' : type === 'array' ? 'list' : type === 'boolean' ? 'boolean' : type === 'integer' ? 'integer' : type === 'number' ? 'number' : 'string'
    // A map flag reads as one entry per use: --type COLUMN TYPE for `types`.
    const singular = kind === 'map' && key.endsWith('s') ? `--${kebab(key.slice(0, -1))}` : undefined
    const aliases = [snake(key) !== kebab(key) ? `--${snake(key)}` : undefined, SHORT[key], singular].filter((a): a is string => a !== undefined)
    const choices = property.enum?.filter((v): v is string => typeof v === 'string')
    flags.push({
      key,
      flag: `--${kebab(key)}`,
      aliases,
      kind,
      arity: kind === 'map' ? 2 : isTuple ? (property.items?.prefixItems?.length ?? 1) : 1,
      ...(choices && choices.length > 0 ? { choices } : {}),
      description: raw.description ?? property.description ?? '',
      ...(raw.default !== undefined ? { default: raw.default } : {}),
      required: required.has(key) && raw.default === undefined,
      group,
    })
  }
  return flags
}
