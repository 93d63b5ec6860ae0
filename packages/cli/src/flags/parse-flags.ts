import { DatapubError, didYouMean } from '@datapub/core/errors'
import type { FlagSpec } from './flag-spec.js'

export interface ParsedFlags {
  positionals: string[]
  /** Values by schema key, typed by the flag kind; schema validation happens after. */
  values: Record<string, unknown>
  /** Which flag group each value came from. */
  groups: Record<string, string>
}

/**
 * Parses argv against derived flags: `--flag value`, `--flag=value`, `--no-flag`, repeatable
 * lists, tuple flags taking N values, and `--` ending options. Unknown flags are coded errors
 * with a suggestion.
 */
export function parseFlags(argv: string[], flags: FlagSpec[]): ParsedFlags {
  const bySpelling = new Map<string, FlagSpec>()
  for (const spec of flags) for (const spelling of [spec.flag, ...spec.aliases]) bySpelling.set(spelling, spec)
  const positionals: string[] = []
  const values: Record<string, unknown> = {}
  const groups: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const spelling = eq > 0 ? arg.slice(0, eq) : arg
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined
    let spec = bySpelling.get(spelling)
    let negated = false
    if (spec === undefined && spelling.startsWith('--no-')) {
      const positive = bySpelling.get(`--${spelling.slice(5)}`)
      if (positive?.kind === 'boolean') ((spec = positive), (negated = true))
    }
    if (spec === undefined) throw unknownFlag(spelling, flags)
    groups[spec.key] = spec.group
    const take = (): string => {
      if (inline !== undefined) return inline
      const next = argv[++i]
      if (next === undefined) throw missingValue(spec as FlagSpec)
      return next
    }
    switch (spec.kind) {
      case 'boolean':
        values[spec.key] = negated ? false : inline === undefined ? true : parseBoolean(inline, spec)
        break
      case 'number':
      case 'integer':
        values[spec.key] = parseNumber(take(), spec)
        break
      case 'list':
        values[spec.key] = [...((values[spec.key] as string[] | undefined) ?? []), take()]
        break
      case 'map':
      case 'tuple-list': {
        if (inline !== undefined) throw new DatapubError('CONFIG_INVALID', `${spec.flag} takes ${spec.arity} separate values, not ${spec.flag}=...`, { path: spec.key, hint: usageOf(spec) })
        const tuple = argv.slice(i + 1, i + 1 + spec.arity)
        if (tuple.length < spec.arity) throw missingValue(spec)
        i += spec.arity
        values[spec.key] = spec.kind === 'map' ? { ...(values[spec.key] as Record<string, string> | undefined), [tuple[0] as string]: tuple[1] } : [...((values[spec.key] as string[][] | undefined) ?? []), tuple]
        break
      }
      default:
        if (spec.key in values) throw new DatapubError('CONFIG_INVALID', `${spec.flag} is given twice.`, { path: spec.key, hint: 'Give it once.' })
        values[spec.key] = take()
        if (spec.choices && !spec.choices.includes(values[spec.key] as string)) {
          throw new DatapubError('CONFIG_INVALID', `${spec.flag} must be one of ${spec.choices.join(', ')}.`, { path: spec.key, hint: usageOf(spec) })
        }
    }
  }
  return { positionals, values, groups }
}

function usageOf(spec: FlagSpec): string {
  return `Usage: ${spec.flag}${spec.kind === 'boolean' ? '' : spec.kind === 'tuple-list' ? ' A B C'.slice(0, spec.arity * 2) : ' VALUE'}  ${spec.description}`
}

function missingValue(spec: FlagSpec): DatapubError {
  return new DatapubError('CONFIG_INVALID', `${spec.flag} needs ${spec.arity > 1 ? `${spec.arity} values` : 'a value'}.`, { path: spec.key, hint: usageOf(spec) })
}

function parseNumber(text: string, spec: FlagSpec): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || (spec.kind === 'integer' && !Number.isInteger(value))) {
    throw new DatapubError('CONFIG_INVALID', `${spec.flag} must be ${spec.kind === 'integer' ? 'a whole number' : 'a number'}, not "${text}".`, { path: spec.key, hint: usageOf(spec) })
  }
  return value
}

function parseBoolean(text: string, spec: FlagSpec): boolean {
  if (/^(true|1|yes|on)$/i.test(text)) return true
  if (/^(false|0|no|off)$/i.test(text)) return false
  throw new DatapubError('CONFIG_INVALID', `${spec.flag} takes no value, or true/false.`, { path: spec.key, hint: usageOf(spec) })
}

function unknownFlag(spelling: string, flags: FlagSpec[]): DatapubError {
  const best = didYouMean(spelling, flags.map((f) => f.flag))
  const suggestion = best === undefined ? '' : ` Did you mean ${best}?`
  return new DatapubError('CONFIG_INVALID', `Unknown option ${JSON.stringify(spelling).slice(1, -1)}.${suggestion}`, {
    path: spelling.replace(/^-+/, ''),
    hint: 'Run with --help to list the options.',
  })
}
