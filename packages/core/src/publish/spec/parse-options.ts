import type { z } from 'zod'
import { DatapubError } from '../../errors/datapub-error.js'

/** Dot-path of a zod issue: `static[1]`, `pluginSecret[0][2]`, `memory`. */
export function issuePath(path: ReadonlyArray<PropertyKey>, prefix?: string): string {
  let out = prefix ?? ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`
  return out === '' ? '(options)' : out
}

/**
 * Parses options with a zod schema; failure is one CONFIG_INVALID naming every bad field by
 * dot-path, never a ZodError. Values are not echoed: an option may hold a token.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string, prefix?: string): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issuePath(issue.path, prefix)}: ${issue.message}`)
  const first = result.error.issues[0]
  throw new DatapubError('CONFIG_INVALID', `Invalid ${what}:\n  ${problems.join('\n  ')}`, {
    path: first === undefined ? undefined : issuePath(first.path, prefix),
    hint: 'Fix the options named above; `datapub publish <provider> --help` lists them.',
    details: { issues: problems },
  } as never)
}
