import { DatapubError } from '@datapub/core/errors'

export interface OwnFlag {
  name: string
  kind: 'boolean' | 'string' | 'integer'
  help: string
}

/**
 * Takes this command's own flags out of argv; what is left goes to the target provider's
 * derived flags, so `--to heroku --region eu` works as it does for publish.
 */
export function takeOwnFlags(argv: string[], flags: OwnFlag[]): { values: Record<string, string | boolean | number>; rest: string[] } {
  const values: Record<string, string | boolean | number> = {}
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const spelling = eq > 0 ? arg.slice(0, eq) : arg
    const flag = flags.find((f) => `--${f.name}` === spelling || (f.kind === 'boolean' && `--no-${f.name}` === spelling))
    if (flag === undefined) {
      rest.push(arg)
      continue
    }
    if (flag.kind === 'boolean') {
      values[flag.name] = !spelling.startsWith('--no-')
      continue
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new DatapubError('CONFIG_INVALID', `--${flag.name} needs a value.`, { path: flag.name })
    if (flag.kind === 'integer') {
      if (!/^\d+$/.test(value)) throw new DatapubError('CONFIG_INVALID', `--${flag.name} takes a whole number, not "${value}".`, { path: flag.name })
      values[flag.name] = Number(value)
    } else values[flag.name] = value
  }
  return { values, rest }
}

export function renderOwnFlags(flags: OwnFlag[]): string {
  return flags.map((f) => `  --${f.name}${f.kind === 'boolean' ? '' : f.kind === 'integer' ? ' N' : ' VALUE'}`.padEnd(28) + f.help).join('\n')
}
