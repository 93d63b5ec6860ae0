import path from 'node:path'
import { DatapubError } from '@datapub/core/errors'
import type { CliCommand, CliIO } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'

type CsvOptions = Record<string, unknown>

interface ConversionReport {
  database: string
  written: boolean
  tables: Array<{ name: string; rows: number; columns: Array<{ name: string; type: string }>; source: string[] }>
  databases: string[]
  warnings: Array<{ code: string; message: string }>
}

/** The slice of core's data API this command uses; injected so tests run against the sources. */
export interface CsvsToSqliteApi {
  csvsToSqlite(
    paths: string[],
    db: string,
    options: CsvOptions,
    hooks: { signal?: AbortSignal; onProgress?(p: { bytes: number; totalBytes: number; rows: number }): void },
  ): Promise<ConversionReport>
}

type Kind = 'string' | 'int' | 'bool' | 'multi' | 'pair'
interface Flag {
  key: string
  kind: Kind
  short?: string
  help: string
}

/** csvs-to-sqlite's flags with its short forms; two-letter ones (-dt, -df, -pk) are why argv is parsed by hand. */
const FLAGS: Record<string, Flag> = {
  separator: { key: 'separator', kind: 'string', short: 's', help: 'Field separator (TSV: -s $\'\\t\'), default ","' },
  quoting: { key: 'quoting', kind: 'int', short: 'q', help: 'csv.QUOTE_*: 0 minimal, 1 all, 2 non-numeric, 3 none' },
  'skip-errors': { key: 'skipErrors', kind: 'bool', help: 'Skip rows with too many fields or NUL bytes' },
  'replace-tables': { key: 'replaceTables', kind: 'bool', help: 'Replace tables that already exist (default: append)' },
  table: { key: 'table', kind: 'string', short: 't', help: 'Write every CSV into this one table' },
  'extract-column': { key: 'extractColumn', kind: 'multi', short: 'c', help: 'col[:Table[:value_col]]: move a column into a lookup table' },
  date: { key: 'date', kind: 'multi', short: 'd', help: 'Parse this column as a date (ISO YYYY-MM-DD)' },
  datetime: { key: 'datetime', kind: 'multi', short: 'dt', help: 'Parse this column as a datetime (ISO)' },
  'datetime-format': { key: 'datetimeFormat', kind: 'multi', short: 'df', help: 'strptime format to try first, e.g. %d/%m/%Y' },
  'primary-key': { key: 'primaryKey', kind: 'multi', short: 'pk', help: 'Primary key column (repeat for compound)' },
  fts: { key: 'fts', kind: 'multi', short: 'f', help: 'Column to full-text index (FTS5, else FTS4)' },
  index: { key: 'index', kind: 'multi', short: 'i', help: 'Index a column, or a,b for a compound index' },
  shape: { key: 'shape', kind: 'string', help: "'csvcol:dbcol(TYPE),...': keep, rename and type columns" },
  'filename-column': { key: 'filenameColumn', kind: 'string', help: 'Add a column holding the source file name' },
  'fixed-column': { key: 'fixedColumn', kind: 'pair', help: 'NAME VALUE: add a TEXT column with a constant' },
  'fixed-column-int': { key: 'fixedColumnInt', kind: 'pair', help: 'NAME VALUE: add an INTEGER column with a constant' },
  'fixed-column-float': { key: 'fixedColumnFloat', kind: 'pair', help: 'NAME VALUE: add a REAL column with a constant' },
  'no-index-fks': { key: 'noIndexFks', kind: 'bool', help: 'Do not index extracted foreign key columns' },
  'no-fulltext-fks': { key: 'noFulltextFks', kind: 'bool', help: 'Do not full-text index extracted lookup values' },
  'just-strings': { key: 'justStrings', kind: 'bool', help: 'Store every column as TEXT' },
  type: { key: 'types', kind: 'pair', help: 'COLUMN TYPE: force a column type (integer, real, text, blob, numeric)' },
  sniff: { key: 'sniff', kind: 'bool', help: 'Detect the separator from the start of each file' },
  encoding: { key: 'encoding', kind: 'string', help: 'auto (default: UTF-8, else Latin-1), utf-8 or latin-1' },
}
const BY_SHORT = new Map(Object.entries(FLAGS).flatMap(([long, flag]) => (flag.short ? [[flag.short, long] as const] : [])))
const USAGE = 'datapub csvs-to-sqlite <paths...> <db> [flags]'

export interface ParsedArgs {
  paths: string[]
  db: string
  options: CsvOptions
  help: boolean
}

/** Parses argv into paths, the database name (`.db` appended when it has no dot) and CsvOptions. */
export function parseCsvsToSqliteArgs(argv: string[]): ParsedArgs {
  const options: Record<string, unknown> = {}
  const positionals: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h' || arg === '--help') {
      help = true
      continue
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const raw = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1, eq === -1 ? undefined : eq)
    const long = arg.startsWith('--') ? raw : BY_SHORT.get(raw)
    const flag = long === undefined ? undefined : FLAGS[long]
    if (long === undefined || flag === undefined) {
      throw new DatapubError('CONFIG_INVALID', `unknown option ${arg}`, { path: arg, hint: `Run datapub csvs-to-sqlite --help. Usage: ${USAGE}` })
    }
    const inline = eq === -1 ? undefined : arg.slice(eq + 1)
    const take = (): string => {
      if (inline !== undefined) return inline
      const value = argv[++i]
      if (value === undefined) throw new DatapubError('CONFIG_INVALID', `${arg} needs a value`, { path: `--${long}` })
      return value
    }
    switch (flag.kind) {
      case 'bool':
        options[flag.key] = true
        break
      case 'string':
        options[flag.key] = take()
        break
      case 'int': {
        const value = take()
        if (!/^[0-3]$/.test(value)) throw new DatapubError('CONFIG_INVALID', `${arg} takes 0, 1, 2 or 3, got ${value}`, { path: `--${long}` })
        options[flag.key] = Number(value)
        break
      }
      case 'multi':
        options[flag.key] = [...((options[flag.key] as string[] | undefined) ?? []), take()]
        break
      case 'pair': {
        const name = take()
        const value = argv[++i]
        if (value === undefined) throw new DatapubError('CONFIG_INVALID', `${arg} needs two values: NAME VALUE`, { path: `--${long}` })
        if (flag.key === 'types') {
          const type = value.toLowerCase()
          if (!['integer', 'real', 'text', 'blob', 'numeric'].includes(type)) throw new DatapubError('CONFIG_INVALID', `--type ${name}: ${value} is not integer, real, text, blob or numeric`, { path: '--type' })
          options.types = { ...(options.types as Record<string, string> | undefined), [name]: type }
        } else options[flag.key] = [...((options[flag.key] as Array<[string, string]> | undefined) ?? []), [name, value]]
        break
      }
    }
  }
  if (help) return { paths: [], db: '', options, help }
  if (positionals.length < 2) {
    throw new DatapubError('CONFIG_INVALID', 'name at least one CSV file or directory, then the database', { hint: `Usage: ${USAGE}` })
  }
  let db = positionals[positionals.length - 1]!
  if (db.toLowerCase().endsWith('.csv')) {
    throw new DatapubError('CONFIG_INVALID', `the database name ${db} ends in .csv`, { path: db, hint: `The database comes last. Usage: ${USAGE}` })
  }
  if (!path.basename(db).includes('.')) db += '.db'
  return { paths: positionals.slice(0, -1), db, options, help }
}

function helpText(): string {
  const lines = Object.entries(FLAGS).map(([long, flag]) => {
    const names = `${flag.short ? `-${flag.short}, ` : ''}--${long}${flag.kind === 'pair' ? ' NAME VALUE' : flag.kind === 'bool' ? '' : ' VALUE'}`
    return `  ${names.padEnd(38)} ${flag.help}`
  })
  return `Usage: ${USAGE}\n\nConvert CSV/TSV files (and directories of them) into a SQLite database, with csvs-to-sqlite's\nflags and sqlite-utils' type detection. Existing tables are appended to.\n\nFlags:\n${lines.join('\n')}\n  ${'--json'.padEnd(38)} Print the conversion report as JSON\n  ${'-h, --help'.padEnd(38)} Show this help\n`
}

/** Builds the command around a data API loader (the default loads @datapub/core lazily). */
export function createCsvsToSqliteCommand(loadApi: () => Promise<CsvsToSqliteApi>): CliCommand {
  return {
    name: 'csvs-to-sqlite',
    summary: 'Convert CSV/TSV files into an SQLite database',
    usage: USAGE,
    async run(argv: string[], io: CliIO) {
      const args = parseCsvsToSqliteArgs(argv)
      if (args.help) return io.stdout(helpText()), EXIT.ok
      const api = await loadApi()
      let shown = -1
      const report = await api.csvsToSqlite(args.paths.map((p) => path.resolve(io.cwd, p)), path.resolve(io.cwd, args.db), args.options, {
        signal: io.signal,
        onProgress: ({ bytes, totalBytes }) => {
          if (!io.isTTY || io.json || totalBytes === 0) return
          const percent = Math.floor((100 * bytes) / totalBytes)
          if (percent !== shown) io.stderr(`\r${String((shown = percent)).padStart(3)}%`)
        },
      })
      if (shown >= 0) io.stderr('\r    \r')
      if (io.json) return io.stdout(`${JSON.stringify(report)}\n`), EXIT.ok
      for (const warning of report.warnings) io.stderr(`warning ${warning.code}: ${warning.message}\n`)
      for (const database of report.databases) io.stdout(`${database}: SQLite database, passed through\n`)
      for (const table of report.tables) io.stdout(`${table.name}: ${table.rows} rows, ${table.columns.length} columns\n`)
      if (report.written) io.stdout(`Wrote ${path.relative(io.cwd, report.database) || report.database}\n`)
      return EXIT.ok
    },
  }
}

export const csvsToSqliteCommand = createCsvsToSqliteCommand(async () => (await import('@datapub/core/data')) as unknown as CsvsToSqliteApi)
