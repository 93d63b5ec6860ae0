import { DatapubError } from '@datapub/core/errors'
import type { CliIO } from './cli-command.js'
import { renderOwnFlags, takeOwnFlags, type OwnFlag } from './flags/own-flags.js'
import { resolveInvocation, type Invocation } from './resolve-invocation.js'

export type TargetInvocation = { help: string } | (Invocation & { values: Record<string, string | boolean | number> })

/**
 * For commands that act on a target provider named by `--to` (import, migrate): their own flags
 * are taken out first, the rest is parsed as the target provider's flags. Help without `--to`
 * lists the command's flags; with it, the provider's too.
 */
export async function resolveTargetInvocation(command: string, argv: string[], io: CliIO, spec: { flags: OwnFlag[]; usage: string; positional: string; intro?: string }): Promise<TargetInvocation> {
  const { values, rest } = takeOwnFlags(argv, spec.flags)
  const own = renderOwnFlags(spec.flags)
  if ((rest.includes('--help') || rest.includes('-h')) && values.to === undefined) return { help: `${spec.usage}\n${spec.intro ?? ''}${own}\n` }
  if (typeof values.to !== 'string') throw new DatapubError('CONFIG_INVALID', `datapub ${command} needs --to <provider>.`, { path: 'to', hint: spec.usage.trim() })
  const resolved = await resolveInvocation(command, [values.to, ...rest], io, { common: false, positional: spec.positional })
  if ('help' in resolved) return { help: `${spec.usage}\n${own}\n\n${resolved.help}` }
  return { ...resolved, values }
}
