import type { CliCommand } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'

interface Row {
  name: string
  title: string
  accepts?: string
  installed: boolean
  /** `built-in` or `plugin`. */
  kind: 'built-in' | 'plugin'
  /** The package it comes from, with the version and folder for plugins. */
  source: string
  dir?: string
  problem?: string
  /** A host that takes no new deployments: what it is still good for. */
  retired?: string
}

export const providersCommand: CliCommand = {
  name: 'providers',
  summary: 'List the providers datapub can publish to',
  usage: 'datapub providers [--json]',
  async run(argv, io) {
    if (argv.includes('--help') || argv.includes('-h')) {
      return io.stdout(`Usage: datapub providers [--json]\n\nLists the built-in providers and every installed datapub-provider-* plugin (from this project, then datapub's own install), with where each comes from.\n`), EXIT.ok
    }
    const { ProviderRegistry, isDatapubError } = await import('@datapub/core')
    const registry = new ProviderRegistry({ cwd: io.cwd })
    const problem = (error: unknown) => (isDatapubError(error) ? error.code : 'INTERNAL')
    const builtins = registry.known().map(async (p): Promise<Row> => {
      try {
        const d = await registry.get(p.name)
        return { name: p.name, title: d.title, accepts: d.accepts, installed: true, kind: 'built-in', source: p.source, ...(d.retired === undefined ? {} : { retired: d.retired }) }
      } catch (error) {
        return { name: p.name, title: p.title, installed: false, kind: 'built-in', source: p.source, problem: problem(error) }
      }
    })
    const plugins = (await registry.plugins()).map(async (p): Promise<Row> => {
      const source = `${p.packageName}${p.version === undefined ? '' : `@${p.version}`}`
      try {
        const d = await registry.get(p.packageName)
        return { name: d.name, title: d.title, accepts: d.accepts, installed: true, kind: 'plugin', source, dir: p.dir }
      } catch (error) {
        return { name: p.id, title: '(failed to load)', installed: false, kind: 'plugin', source, dir: p.dir, problem: problem(error) }
      }
    })
    const rows = await Promise.all([...builtins, ...plugins])
    if (io.json) return io.stdout(`${JSON.stringify(rows)}\n`), EXIT.ok
    for (const r of rows) {
      const state = r.retired !== undefined ? `retired: ${r.retired}` : r.installed ? `deploys ${r.accepts ?? ''}` : `not usable: ${r.problem ?? 'not installed'}`
      io.stdout(`${r.name.padEnd(12)}${r.title.padEnd(36)}${state.padEnd(18)}${r.kind === 'plugin' ? `plugin ${r.source} (${r.dir})` : r.source}\n`)
    }
    if (!rows.some((r) => r.kind === 'plugin')) io.stdout('\nNo plugins installed: a plugin is a datapub-provider-<id> package in this project; then `datapub publish <id> ...`.\n')
    return EXIT.ok
  },
}
