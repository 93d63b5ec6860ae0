/** One command-line flag derived from an options schema. Plain data: it is generated at build time for fast help. */
export interface FlagSpec {
  /** The option key in the schema (camelCase). */
  key: string
  /** Primary spelling, `--kebab-case`. */
  flag: string
  /** Other accepted spellings: datasette's `--license_url`, short forms like `-m`. */
  aliases: string[]
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'tuple-list' | 'map'
  /** Values per occurrence for tuple-list flags (`--plugin-secret PLUGIN SETTING VALUE`). */
  arity: number
  choices?: string[]
  description: string
  default?: unknown
  required: boolean
  /** Where it comes from: common options or the provider's. */
  group: string
}
