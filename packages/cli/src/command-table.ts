import type { CliCommand } from './cli-command.js'

interface Entry {
  summary: string
  load(): Promise<CliCommand>
}

/** Every subcommand, loaded only when it runs. */
export const COMMANDS: Record<string, Entry> = {
  publish: { summary: 'Publish CSV/TSV/SQLite files as a Datasette deployment', load: async () => (await import('./commands/publish.js')).publishCommand },
  plan: { summary: 'Show every step publish would take, without doing any', load: async () => (await import('./commands/plan.js')).planCommand },
  providers: { summary: 'List the providers datapub can publish to', load: async () => (await import('./commands/providers.js')).providersCommand },
  list: { summary: 'List deployments on a provider', load: async () => (await import('./commands/manage.js')).listCommand },
  status: { summary: 'Show one deployment', load: async () => (await import('./commands/manage.js')).statusCommand },
  destroy: { summary: 'Remove a deployment', load: async () => (await import('./commands/manage.js')).destroyCommand },
  rollback: { summary: 'Go back to the previous version of a deployment', load: async () => (await import('./commands/manage.js')).rollbackCommand },
  export: { summary: 'Print a deployment as a portable descriptor (JSON)', load: async () => (await import('./commands/manage.js')).exportCommand },
  import: { summary: 'Deploy an exported descriptor on another provider (image reused when possible)', load: async () => (await import('./commands/import.js')).importCommand },
  migrate: { summary: 'Move deployments to another provider: plan, then --apply (batch with --batch)', load: async () => (await import('./commands/migrate.js')).migrateCommand },
  'csvs-to-sqlite': { summary: 'Convert CSV/TSV files into an SQLite database', load: async () => (await import('./commands/csvs-to-sqlite.js')).csvsToSqliteCommand },
  'inspect-image': { summary: 'Report where the bytes of an image go', load: async () => (await import('./commands/inspect-image.js')).inspectImageCommand },
}
