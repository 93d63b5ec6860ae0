import type { FlagSpec } from './flags/flag-spec.js'

/** Formats flags as an aligned help table, grouped. */
export function renderFlags(flags: FlagSpec[], title: string): string {
  if (flags.length === 0) return ''
  const rows = flags.map((f) => {
    const value = f.kind === 'boolean' ? '' : f.kind === 'tuple-list' ? ' A B C'.slice(0, f.arity * 2) : f.choices ? ` ${f.choices.join('|')}` : f.kind === 'number' || f.kind === 'integer' ? ' N' : ' TEXT'
    const names = [...f.aliases.filter((a) => /^-[a-z]$/.test(a)), f.flag].join(', ') + value
    // Schema descriptions often say it already: add "repeatable" and the default only when they do not.
    const says = (word: RegExp) => word.test(f.description)
    const repeatable = (f.kind === 'list' || f.kind === 'tuple-list' || f.kind === 'map') && !says(/repeatable/i)
    const showDefault = f.default !== undefined && f.default !== false && !(Array.isArray(f.default) && f.default.length === 0) && !says(/\bdefault\b/i)
    const extra = [repeatable ? 'repeatable' : '', showDefault ? `default ${JSON.stringify(f.default)}` : '', f.required ? 'required' : '']
      .filter(Boolean)
      .join('; ')
    return [names, `${f.description}${extra ? ` (${extra})` : ''}`] as const
  })
  const width = Math.min(Math.max(...rows.map(([n]) => n.length)) + 2, 40)
  return `${title}:\n${rows.map(([n, d]) => `  ${n.padEnd(width)}${n.length >= width ? `\n  ${' '.repeat(width)}` : ''}${d}`).join('\n')}\n`
}
