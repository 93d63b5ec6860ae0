import type { AnyProviderDefinition, ProviderRegistry } from '@datapub/core'
import { DatapubError } from '@datapub/core/errors'
import type { CliIO } from './cli-command.js'
import { loadCliManifest } from './load-cli-manifest.js'
import { deriveFlags } from './flags/derive-flags.js'
import type { FlagSpec } from './flags/flag-spec.js'
import { parseFlags } from './flags/parse-flags.js'
import { renderFlags } from './render-help.js'

export interface Invocation {
  definition: AnyProviderDefinition
  registry: ProviderRegistry
  positionals: string[]
  options: Record<string, unknown>
  providerOptions: Record<string, unknown>
}

export type Resolved = { help: string } | Invocation

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h')

/**
 * `<command> <provider> [positionals] [flags]`: loads the provider, derives its flags from its
 * schema next to the common ones, parses argv and splits the values by owner. Help for the bare
 * command comes from the build-time manifest and loads no provider.
 */
export async function resolveInvocation(command: string, args: string[], io: CliIO, opts: { common: boolean; positional: string }): Promise<Resolved> {
  const manifest = await loadCliManifest()
  const commonFlags = opts.common ? [...manifest.commonFlags, ...manifest.csvFlags] : []
  const [providerName, ...rest] = args
  const usage = `Usage: datapub ${command} <provider>${opts.positional ? ` ${opts.positional}` : ''} [options]\n`
  if (providerName === undefined || providerName.startsWith('-')) {
    const providers = manifest.providers.map((p) => `  ${p.name.padEnd(12)}${p.title}`).join('\n')
    const common = opts.common ? `${renderFlags(manifest.commonFlags, 'Common options')}\n${renderFlags(manifest.csvFlags, 'CSV options (csvs-to-sqlite)')}\n` : ''
    const help = `${usage}\nProviders (plugins: datapub-provider-<id> packages, or a path; \`datapub providers\` lists them):\n${providers}\n\n${common}Run \`datapub ${command} <provider> --help\` for the provider's own options.\n`
    if (wantsHelp(args)) return { help }
    throw new DatapubError('CONFIG_INVALID', `datapub ${command} needs a provider.`, { path: 'provider', hint: `Name one: ${manifest.providers.map((p) => p.name).join(', ')}.` })
  }
  const core = await import('@datapub/core')
  const registry = new core.ProviderRegistry({ cwd: io.cwd })
  const definition = await registry.get(providerName)
  const { jsonSchemaOf } = await import('./compute-cli-manifest.js')
  const providerFlags = deriveFlags(jsonSchemaOf(definition.options) as never, definition.name)
  const clash = providerFlags.find((f) => commonFlags.some((c) => c.key === f.key))
  if (clash) {
    throw new DatapubError('PROVIDER_INVALID', `Provider "${definition.name}" redefines the common option ${clash.flag}.`, { fault: 'user', hint: 'The provider must use another name for its own option.' })
  }
  if (wantsHelp(rest)) {
    return { help: `Usage: datapub ${command} ${definition.name}${opts.positional ? ` ${opts.positional}` : ''} [options]\n\n${definition.title}${definition.description ? `: ${definition.description}` : ''}\n\n${renderFlags(providerFlags, `${definition.title} options`)}\n${renderFlags(manifest.commonFlags.filter(() => opts.common), 'Common options')}${opts.common ? `\n${renderFlags(manifest.csvFlags, 'CSV options (csvs-to-sqlite)')}` : ''}` }
  }
  const parsed = parseFlags(rest, [...commonFlags, ...providerFlags] as FlagSpec[])
  const options: Record<string, unknown> = {}
  const providerOptions: Record<string, unknown> = {}
  const csv: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(parsed.values)) (parsed.groups[key] === 'common' ? options : parsed.groups[key] === 'csv' ? csv : providerOptions)[key] = value
  if (Object.keys(csv).length > 0) options.csv = csv
  return { definition, registry, positionals: parsed.positionals, options, providerOptions }
}
