import type { CliCommand } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'

export const providersCommand: CliCommand = {
  name: 'providers',
  summary: 'List the providers datapub can publish to',
  usage: 'datapub providers [--json]',
  async run(_argv, io) {
    const { ProviderRegistry, isDatapubError } = await import('@datapub/core')
    const registry = new ProviderRegistry({ cwd: io.cwd })
    const rows = await Promise.all(
      registry.known().map(async (p) => {
        try {
          const d = await registry.get(p.name)
          return { name: p.name, title: d.title, accepts: d.accepts, installed: true, source: p.source, ...(d.retired === undefined ? {} : { retired: d.retired }) }
        } catch (error) {
          return { name: p.name, title: p.title, installed: false, source: p.source, problem: isDatapubError(error) ? error.code : 'INTERNAL' }
        }
      }),
    )
    if (io.json) return io.stdout(`${JSON.stringify(rows)}\n`), EXIT.ok
    const state = (r: (typeof rows)[number]) => ('retired' in r && r.retired !== undefined ? `retired: ${r.retired}` : r.installed ? `deploys ${'accepts' in r ? r.accepts : ''}` : `not installed (${r.source})`)
    for (const r of rows) io.stdout(`${r.name.padEnd(12)}${r.title.padEnd(36)}${state(r)}\n`)
    io.stdout('\nPlugins: install a datapub-provider-<id> package, then `datapub publish <id> ...`.\n')
    return EXIT.ok
  },
}
