import type { CliCommand, CliIO } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'
import { resolveInvocation } from '../resolve-invocation.js'
import { DatapubError } from '@datapub/core/errors'
import { renderOwnFlags, takeOwnFlags, type OwnFlag } from '../flags/own-flags.js'

const DESTROY_FLAGS: OwnFlag[] = [{ name: 'yes', kind: 'boolean', help: 'Destroy without asking (needed when no terminal can answer)' }]

type Action = 'list' | 'status' | 'destroy' | 'rollback' | 'export'

const SUMMARY: Record<Action, string> = {
  list: 'List deployments on a provider',
  status: 'Show one deployment',
  destroy: 'Remove a deployment',
  rollback: 'Go back to the previous version of a deployment',
  export: 'Print a deployment as a portable descriptor (JSON)',
}

function manageCommand(action: Action): CliCommand {
  const needsId = action !== 'list'
  return {
    name: action,
    summary: SUMMARY[action],
    usage: `datapub ${action} <provider>${needsId ? ' <deployment>' : ''} [options]`,
    async run(argv, io) {
      const own = action === 'destroy' ? takeOwnFlags(argv, DESTROY_FLAGS) : { values: {}, rest: argv }
      const resolved = await resolveInvocation(action, own.rest, io, { common: false, positional: needsId ? '<deployment>' : '' })
      if ('help' in resolved) return io.stdout(`${resolved.help}${action === 'destroy' ? `\nDestroy options:\n${renderOwnFlags(DESTROY_FLAGS)}\n` : ''}`), EXIT.ok
      const [id, ...extra] = resolved.positionals
      if (needsId && id === undefined) throw new DatapubError('CONFIG_INVALID', `datapub ${action} needs the deployment name.`, { path: 'deployment', hint: `Usage: datapub ${action} <provider> <deployment>; \`datapub list <provider>\` shows names.` })
      if (extra.length > 0 || (!needsId && id !== undefined)) throw new DatapubError('CONFIG_INVALID', `Unexpected argument "${(needsId ? extra[0] : id) ?? ''}".`, { hint: `Usage: datapub ${action} <provider>${needsId ? ' <deployment>' : ''}` })
      if (action === 'destroy' && own.values.yes !== true) await confirmDestroy(resolved.definition, id as string, io)
      const core = await import('@datapub/core')
      const request = { provider: resolved.definition, providerOptions: resolved.providerOptions, signal: io.signal, container: core.createContainer({ ProviderRegistry: resolved.registry, Env: io.env }) }
      const result =
        action === 'list' ? await core.listDeployments(request)
        : action === 'status' ? await core.deploymentStatus(request, id as string)
        : action === 'destroy' ? (await core.destroyDeployment(request, id as string), { destroyed: id })
        : action === 'rollback' ? await core.rollbackDeployment(request, id as string)
        : await exportChecked(core, request, id as string)
      print(result, action, io)
      return EXIT.ok
    },
  }
}

/**
 * Removing a deployment on a host cannot be undone: a person confirms it on a terminal, and a
 * script says --yes. The local engine's containers are the user's own and are not asked about.
 */
async function confirmDestroy(definition: { name: string; title: string }, id: string, io: CliIO): Promise<void> {
  if (definition.name === 'local') return
  if (io.interactive !== true || io.confirm === undefined) {
    throw new DatapubError('CONFIRMATION_REQUIRED', `datapub destroy ${definition.name} ${id} removes the deployment from ${definition.title} and needs confirmation.`, {
      provider: definition.name,
      hint: 'Pass --yes to destroy without asking (no terminal is here to answer).',
    })
  }
  if (!(await io.confirm(`Destroy "${id}" on ${definition.title}? This cannot be undone.`))) {
    throw new DatapubError('ABORTED', `Kept "${id}": destroy was not confirmed.`, { provider: definition.name })
  }
}

/** A descriptor is checked for secret values before it is printed: it is meant to be stored and shared. */
async function exportChecked(core: typeof import('@datapub/core'), request: Parameters<typeof import('@datapub/core').exportDeployment>[0], id: string) {
  const descriptor = await core.exportDeployment(request, id)
  core.assertNoSecretValues(descriptor)
  return descriptor
}

function print(result: unknown, action: Action, io: CliIO): void {
  if (io.json || action === 'export') return io.stdout(`${JSON.stringify(result, null, io.json ? undefined : 2)}\n`)
  if (Array.isArray(result)) {
    if (result.length === 0) return io.stdout('no deployments\n')
    for (const d of result as Array<{ name: string; state: string; url?: string }>) io.stdout(`${d.name.padEnd(24)}${d.state.padEnd(12)}${d.url ?? ''}\n`)
    return
  }
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) io.stdout(`${key.padEnd(14)}${typeof value === 'string' ? value : JSON.stringify(value)}\n`)
}

export const listCommand = manageCommand('list')
export const statusCommand = manageCommand('status')
export const destroyCommand = manageCommand('destroy')
export const rollbackCommand = manageCommand('rollback')
export const exportCommand = manageCommand('export')
