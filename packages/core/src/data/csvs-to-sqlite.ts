import { copyFile, rename, rm, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { sqlite } from '../util/sqlite.js'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import { diskFullError, isDiskFull } from '../errors/disk-full-error.js'
import { assertSqliteDatabase } from './assert-sqlite-database.js'
import { createFts, type FtsColumn } from './create-fts.js'
import type { CsvOptions } from './csv-options-schema.js'
import { Bind, insertCsvFile, type ColumnBinding } from './insert-csv-file.js'
import { LookupTable } from './lookup-table.js'
import { parseDate } from './parse-date.js'
import { parseExtractColumn, parseShape, type ExtractSpec, type ShapeColumn } from './parse-column-specs.js'
import { quoteIdentifier as q } from './quote-identifier.js'
import { resolveDialect } from './resolve-dialect.js'
import { resolveInputs, isSqliteFile, type CsvInput } from './resolve-inputs.js'
import { scanCsvFile, type CsvScan, type TextEncoding } from './scan-csv-file.js'

export interface ConvertHooks {
  signal?: AbortSignal
  onTable?(t: { table: string; rows: number; columns: number }): void
  onProgress?(p: { bytes: number; totalBytes: number; rows: number }): void
}

export interface ConversionReport {
  database: string
  /** False when no CSV was given (only databases to pass through): nothing was written. */
  written: boolean
  /** `threads: 2` when a large file was inserted by two threads (see insert-csv-file.ts). */
  tables: Array<{ name: string; rows: number; columns: Array<{ name: string; type: string }>; source: string[]; threads?: 1 | 2 }>
  /** Existing SQLite databases among the inputs, checked and passed through untouched. */
  databases: string[]
  warnings: Array<{ code: string; message: string }>
}

const SQLITE_MAX_COLUMNS = 2000
const SQLITE_MAX_VARIABLES = 32766
const ROWS_PER_STATEMENT = 100

interface ColumnPlan {
  name: string
  type: string
  bind: Bind
  lookup?: LookupTable
  convert?: (text: string) => string
  constant?: string | number | null
}

/**
 * Converts CSV/TSV files (and directories of them) into one SQLite database with csvs-to-sqlite's
 * semantics and sqlite-utils' type detection. Two streaming passes per file: the first detects
 * encoding, structure and column types from bytes; the second inserts typed values. The database
 * is built in a temporary file next to the target (a copy when appending) and renamed into place
 * only on success.
 */
export async function csvsToSqlite(paths: string[], dbPath: string, options: CsvOptions = {}, hooks: ConvertHooks = {}): Promise<ConversionReport> {
  const warnings: ConversionReport['warnings'] = []
  const target = path.resolve(dbPath)
  if (target.toLowerCase().endsWith('.csv')) {
    throw new DatapubError('CONFIG_INVALID', `${dbPath}: the database name ends in .csv`, { path: 'database', hint: 'Name the database last, e.g. data.db.' })
  }
  const inputs = await resolveInputs(paths)
  for (const input of [...inputs.csvs.map((c) => c.file), ...inputs.databases]) {
    if (path.resolve(input) === target) {
      throw new DatapubError('INPUT_UNSAFE', `${input} is both an input and the output database`, { path: input, hint: 'Write the database to another file.' })
    }
  }
  for (const database of inputs.databases) await assertSqliteDatabase(database)
  const report: ConversionReport = { database: target, written: false, tables: [], databases: inputs.databases, warnings }
  if (inputs.csvs.length === 0) return report

  const encoding = normaliseEncoding(options.encoding)
  const quoting = options.quoting ?? 0
  const skipErrors = options.skipErrors ?? false
  const totalBytes = (await Promise.all(inputs.csvs.map(async (c) => (await stat(c.file)).size))).reduce((a, b) => a + b, 0)
  let read = 0
  let rowsDone = 0
  // Every file is read twice (detect, then insert): progress counts each pass as half the bytes.
  const onBytes = (n: number): void => {
    read += n
    hooks.onProgress?.({ bytes: Math.floor(read / 2), totalBytes, rows: rowsDone })
  }

  // Pass one for every file first: a type that only shows up in the last file of a table still counts.
  const scans: Array<{ input: CsvInput; scan: CsvScan }> = []
  // A scan's second thread waits for pass two; at most one waits (the last file's), the others start their own.
  const closeHelpers = (): void => scans.forEach(({ scan }) => (scan.helper?.close(), delete scan.helper))
  for (const input of inputs.csvs) {
    closeHelpers()
    const dialect = await resolveDialect(input.file, options)
    const scan = await scanCsvFile(input.file, dialect, { encoding, quoting, skipErrors, signal: hooks.signal, onBytes }).catch((error: unknown) => {
      closeHelpers()
      throw error
    })
    if (scan.headers.length === 0) {
      warnings.push({ code: 'CSV_EMPTY', message: `${input.file} is empty; no table was made from it` })
      continue
    }
    if (scan.skipped > 0) warnings.push({ code: 'CSV_ROWS_SKIPPED', message: `${input.file}: skipped ${scan.skipped} bad row(s)` })
    if (scan.encoding === 'latin1' && encoding === 'auto') warnings.push({ code: 'CSV_LATIN1', message: `${input.file} is not UTF-8; read as Latin-1` })
    scans.push({ input, scan })
  }

  const groups = new Map<string, Array<{ input: CsvInput; scan: CsvScan }>>()
  for (const entry of scans) {
    const table = options.table ?? entry.input.table
    const group = groups.get(table.toLowerCase()) ?? []
    if (group.length === 0) groups.set(table.toLowerCase(), group)
    group.push(entry)
  }

  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let db: Database.Database | undefined
  try {
    if (await exists(target)) {
      if ((await stat(target)).size > 0 && !(await isSqliteFile(target))) {
        throw new DatapubError('SQLITE_INVALID', `${dbPath} exists and is not a SQLite database; refusing to overwrite it`, { path: dbPath, hint: 'Choose another database name.' })
      }
      await copyFile(target, temp)
    }
    db = new (sqlite())(temp)
    // Safe because the file is private until the rename: a crash leaves only a temp file behind.
    db.pragma('journal_mode = OFF')
    db.pragma('synchronous = OFF')
    db.pragma('locking_mode = EXCLUSIVE')
    // Appends touch only the rightmost pages; a larger cache buys nothing and counts against peak RSS.
    db.pragma('cache_size = -16384')
    db.pragma('foreign_keys = OFF')
    const shape = options.shape === undefined ? undefined : parseShape(options.shape)
    const extracts = (options.extractColumn ?? []).map(parseExtractColumn)
    const lookups = new Map<string, LookupTable>()
    const used = { extract: new Set<string>(), date: new Set<string>(), index: new Set<string>(), fts: new Set<string>(), pk: new Set<string>() }
    db.exec('BEGIN')
    for (const [, group] of groups) {
      const table = options.table ?? group[0]!.input.table
      const files = group.map((g) => g.input.file)
      const plans = planColumns(table, group, options, shape, extracts, warnings)
      if (plans.length > SQLITE_MAX_COLUMNS) {
        throw new DatapubError('CSV_INVALID', `${files[0]}: line 1, column ${SQLITE_MAX_COLUMNS + 1}: ${plans.length} columns; SQLite allows at most ${SQLITE_MAX_COLUMNS}`, {
          path: files[0],
          details: { file: files[0], line: 1, column: SQLITE_MAX_COLUMNS + 1 },
          hint: 'Keep fewer columns with --shape, or split the file.',
        })
      }
      const lower = new Set(plans.map((p) => p.name.toLowerCase()))
      for (const extract of extracts) {
        if (!lower.has(extract.column.toLowerCase())) continue
        used.extract.add(extract.column)
        const key = extract.table.toLowerCase()
        if (groups.has(key)) {
          throw new DatapubError('CONFIG_INVALID', `extract-column: lookup table "${extract.table}" has the name of a data table`, { path: 'extractColumn', hint: 'Name the lookup table: col:Table.' })
        }
        let lookup = lookups.get(key)
        if (lookup === undefined) {
          lookup = new LookupTable(db, extract.table, extract.valueColumn)
          lookups.set(key, lookup)
        }
        const plan = plans.find((p) => p.name.toLowerCase() === extract.column.toLowerCase())!
        plan.type = 'INTEGER'
        plan.bind = Bind.Lookup
        plan.lookup = lookup
      }
      addDateConverters(plans, options, used.date, warnings)
      const pk = (options.primaryKey ?? []).filter((c) => lower.has(c.toLowerCase()))
      pk.forEach((c) => used.pk.add(c))
      const fresh = prepareTable(db, table, plans, pk, extracts, options.replaceTables ?? false)
      const columns = plans.length
      const batch = pk.length > 0 ? 1 : Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(SQLITE_MAX_VARIABLES / columns)))
      let rows = 0
      let threads: 1 | 2 = 1
      for (const { input, scan } of group) {
        const bindings = bindColumns(plans, scan, input, options)
        const done = await insertCsvFile(scan, {
          db,
          table,
          columns: bindings,
          types: plans.map((p) => p.type),
          fresh,
          scratch: `${temp}.side`,
          batch,
          skipErrors,
          signal: hooks.signal,
          onBytes,
          onRows: (n) => {
            rowsDone += n
          },
        })
        rows += done.rows
        if (done.threads === 2) threads = 2
      }
      addIndexes(db, table, plans, extracts, options, used.index)
      const ftsColumns = (options.fts ?? []).filter((c) => lower.has(c.toLowerCase()))
      ftsColumns.forEach((c) => used.fts.add(c))
      if (ftsColumns.length > 0) addTableFts(db, table, plans, ftsColumns)
      const info = db.prepare(`PRAGMA table_info(${q(table)})`).all() as Array<{ name: string; type: string }>
      report.tables.push({ name: table, rows, columns: info.map((c) => ({ name: c.name, type: c.type })), source: files, ...(threads === 2 ? { threads } : {}) })
      hooks.onTable?.({ table, rows, columns: info.length })
    }
    if (!(options.noFulltextFks ?? false)) {
      for (const lookup of lookups.values()) {
        createFts(db, lookup.table, `${lookup.table}_${lookup.valueColumn}_fts`, [{ name: lookup.valueColumn, expression: q(lookup.valueColumn) }])
      }
    }
    warnUnused('extract-column', extracts.map((e) => e.column), used.extract, warnings)
    warnUnused('date/datetime', [...(options.date ?? []), ...(options.datetime ?? [])], used.date, warnings)
    warnUnused('primary-key', options.primaryKey ?? [], used.pk, warnings)
    warnUnused('fts', options.fts ?? [], used.fts, warnings)
    warnUnused('index', options.index ?? [], used.index, warnings)
    db.exec('COMMIT')
    db.close()
    db = undefined
    if (hooks.signal?.aborted) throw new DatapubError('ABORTED', 'The conversion was cancelled.')
    await rename(temp, target)
    report.written = true
    return report
  } catch (error) {
    closeHelpers()
    db?.close()
    await rm(temp, { force: true })
    if (isDatapubError(error)) throw error
    // SQLite says SQLITE_FULL, fs says ENOSPC: either way the temp file is gone and the target untouched.
    if (isDiskFull(error)) throw diskFullError(target, { neededBytes: totalBytes, cause: error, what: `the database ${dbPath}` })
    throw new DatapubError('SQLITE_INVALID', `Writing ${dbPath} failed: ${(error as Error).message}`, { path: dbPath, cause: error })
  }
}

function normaliseEncoding(encoding: string | undefined): 'auto' | TextEncoding {
  const value = (encoding ?? 'auto').toLowerCase().replace(/[_\s]/g, '-')
  if (value === 'auto') return 'auto'
  if (value === 'utf-8' || value === 'utf8' || value === 'utf-8-sig') return 'utf8'
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1'].includes(value)) return 'latin1'
  throw new DatapubError('CONFIG_INVALID', `encoding ${encoding} is not supported`, { path: 'encoding', hint: 'Use auto, utf-8 or latin-1.' })
}

/** Column types of a table: from --shape/--types/--just-strings when given, else detected over all its files. */
function planColumns(table: string, group: Array<{ scan: CsvScan }>, options: CsvOptions, shape: ShapeColumn[] | undefined, extracts: ExtractSpec[], warnings: ConversionReport['warnings']): ColumnPlan[] {
  const detected = new Map<string, { name: string; integer: boolean; real: boolean; value: boolean }>()
  for (const { scan } of group) {
    scan.headers.forEach((header, i) => {
      const name = shape === undefined ? header : shape.find((s) => s.csv === header)?.db
      if (name === undefined) return
      const key = name.toLowerCase()
      const entry = detected.get(key) ?? { name, integer: true, real: true, value: false }
      if (scan.hasValue[i]) {
        entry.value = true
        entry.integer &&= scan.canInteger[i] === 1
        entry.real &&= scan.canReal[i] === 1
      }
      detected.set(key, entry)
    })
  }
  if (shape !== undefined) {
    for (const s of shape) if (!detected.has(s.db.toLowerCase())) warnings.push({ code: 'SHAPE_COLUMN_MISSING', message: `--shape: ${table} has no column "${s.csv}"` })
  }
  const overrides = new Map(Object.entries(options.types ?? {}).map(([k, v]) => [k.toLowerCase(), v.toUpperCase()]))
  for (const s of shape ?? []) if (s.type !== undefined) overrides.set(s.db.toLowerCase(), s.type)
  const plans: ColumnPlan[] = []
  for (const [key, d] of detected) {
    const numeric = d.value && d.integer ? Bind.Integer : d.value && d.real ? Bind.Real : Bind.Text
    const detectedType = numeric === Bind.Integer ? 'INTEGER' : numeric === Bind.Real ? 'REAL' : 'TEXT'
    const type = overrides.get(key) ?? (options.justStrings ? 'TEXT' : detectedType)
    // Numbers bind as numbers only when the column type keeps them; TEXT keeps the exact text.
    const bind = type === 'TEXT' || type === 'BLOB' ? Bind.Text : numeric
    if (bind === Bind.Text && d.value && overrides.has(key) && type !== 'TEXT' && type !== 'BLOB') {
      // Text in a numeric column is converted by SQLite's affinity, which keeps only 15 digits.
      warnings.push({ code: 'TYPE_LOSSY', message: `${table}.${d.name}: typed ${type}, but not every value is a number that converts without loss; SQLite's ${type} affinity may round such values` })
    }
    plans.push({ name: d.name, type, bind })
  }
  void extracts
  const extra = (name: string, type: string, constant: string | number | null): void => {
    if (plans.some((p) => p.name.toLowerCase() === name.toLowerCase())) {
      throw new DatapubError('CONFIG_INVALID', `column "${name}" is already in ${table}`, { path: 'fixedColumn', hint: 'Give the added column another name.' })
    }
    plans.push({ name, type, bind: Bind.Constant, constant })
  }
  if (options.filenameColumn !== undefined) extra(options.filenameColumn, 'TEXT', null)
  for (const [name, value] of options.fixedColumn ?? []) extra(name, 'TEXT', value)
  for (const [name, value] of options.fixedColumnInt ?? []) extra(name, 'INTEGER', constantNumber(name, value, true))
  for (const [name, value] of options.fixedColumnFloat ?? []) extra(name, 'REAL', constantNumber(name, value, false))
  return plans
}

function constantNumber(name: string, value: string, integer: boolean): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new DatapubError('CONFIG_INVALID', `fixed column ${name}: ${JSON.stringify(value)} is not ${integer ? 'an integer' : 'a number'}`, { path: integer ? 'fixedColumnInt' : 'fixedColumnFloat' })
  }
  return n
}

function addDateConverters(plans: ColumnPlan[], options: CsvOptions, used: Set<string>, warnings: ConversionReport['warnings']): void {
  const formats = options.datetimeFormat ?? []
  const kinds: Array<['date' | 'datetime', string[]]> = [
    ['date', options.date ?? []],
    ['datetime', options.datetime ?? []],
  ]
  for (const [kind, columns] of kinds) {
    for (const column of columns) {
      const plan = plans.find((p) => p.name.toLowerCase() === column.toLowerCase() && p.bind !== Bind.Constant)
      if (plan === undefined) continue
      used.add(column)
      let reported = false
      plan.type = 'TEXT'
      plan.bind = Bind.Date
      plan.convert = (text) => {
        const iso = parseDate(text, kind, formats)
        if (iso !== undefined) return iso
        if (!reported) {
          reported = true
          const warning = { code: 'DATE_UNPARSED', message: `${column}: kept values that are not ${kind}s as text, e.g. ${JSON.stringify(text.slice(0, 40))}` }
          warnings.push(warning)
        }
        return text
      }
    }
  }
}

/** Creates the table, or extends an existing one; true when it was created here (so it holds exactly `plans`). */
function prepareTable(db: Database.Database, table: string, plans: ColumnPlan[], pk: string[], extracts: ExtractSpec[], replace: boolean): boolean {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`).get(table) !== undefined
  if (exists && replace) {
    db.exec(`DROP TABLE IF EXISTS ${q(`${table}_fts`)}`)
    db.exec(`DROP TABLE ${q(table)}`)
  }
  if (exists && !replace) {
    const have = new Set((db.prepare(`PRAGMA table_info(${q(table)})`).all() as Array<{ name: string }>).map((c) => c.name.toLowerCase()))
    for (const plan of plans) {
      if (!have.has(plan.name.toLowerCase())) db.exec(`ALTER TABLE ${q(table)} ADD COLUMN ${q(plan.name)} ${plan.type}`)
    }
    return false
  }
  const defs = plans.map((p) => `${q(p.name)} ${p.type}`)
  if (pk.length > 0) defs.push(`PRIMARY KEY (${pk.map((c) => q(plans.find((p) => p.name.toLowerCase() === c.toLowerCase())!.name)).join(', ')})`)
  for (const plan of plans) {
    if (plan.lookup) defs.push(`FOREIGN KEY (${q(plan.name)}) REFERENCES ${q(plan.lookup.table)}("id")`)
  }
  void extracts
  db.exec(`CREATE TABLE ${q(table)} (\n  ${defs.join(',\n  ')}\n)`)
  return true
}

function bindColumns(plans: ColumnPlan[], scan: CsvScan, input: CsvInput, options: CsvOptions): ColumnBinding[] {
  const shape = options.shape === undefined ? undefined : parseShape(options.shape)
  const position = new Map<string, number>()
  scan.headers.forEach((header, i) => {
    const name = shape === undefined ? header : shape.find((s) => s.csv === header)?.db
    if (name !== undefined) position.set(name.toLowerCase(), i)
  })
  return plans.map((plan) => {
    const source = position.get(plan.name.toLowerCase())
    if (plan.bind === Bind.Constant) {
      const constant = plan.name === options.filenameColumn ? input.table : (plan.constant ?? null)
      return { name: plan.name, bind: Bind.Constant, source: -1, constant }
    }
    if (source === undefined) return { name: plan.name, bind: Bind.Constant, source: -1, constant: null }
    // A column typed by override but not numeric in this file binds as text; SQLite's affinity decides.
    let bind = plan.bind
    if (bind === Bind.Integer && !(scan.canInteger[source] || !scan.hasValue[source])) bind = scan.canReal[source] ? Bind.Real : Bind.Text
    if (bind === Bind.Real && !(scan.canReal[source] || !scan.hasValue[source])) bind = Bind.Text
    const binding: ColumnBinding = { name: plan.name, bind, source }
    if (plan.lookup) binding.lookup = plan.lookup
    if (plan.convert) binding.convert = plan.convert
    return binding
  })
}

function addIndexes(db: Database.Database, table: string, plans: ColumnPlan[], extracts: ExtractSpec[], options: CsvOptions, used: Set<string>): void {
  const byLower = new Map(plans.map((p) => [p.name.toLowerCase(), p.name]))
  const specs: string[][] = []
  if (!(options.noIndexFks ?? false)) for (const plan of plans) if (plan.lookup) specs.push([plan.name])
  for (const spec of options.index ?? []) {
    const columns = spec.split(',').map((c) => c.trim())
    if (!columns.every((c) => byLower.has(c.toLowerCase()))) continue
    used.add(spec)
    specs.push(columns.map((c) => byLower.get(c.toLowerCase())!))
  }
  void extracts
  for (const columns of specs) {
    db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${table}_${columns.join('_')}`)} ON ${q(table)} (${columns.map(q).join(', ')})`)
  }
}

function addTableFts(db: Database.Database, table: string, plans: ColumnPlan[], ftsColumns: string[]): void {
  let joins = ''
  const columns: FtsColumn[] = ftsColumns.map((c, i) => {
    const plan = plans.find((p) => p.name.toLowerCase() === c.toLowerCase())!
    if (!plan.lookup) return { name: plan.name, expression: `${q(table)}.${q(plan.name)}` }
    // Extracted columns hold ids; index the looked-up text instead, as csvs-to-sqlite does.
    const alias = `lookup_${i}`
    joins += ` LEFT JOIN ${q(plan.lookup.table)} AS ${q(alias)} ON ${q(alias)}."id" = ${q(table)}.${q(plan.name)}`
    return { name: plan.name, expression: `${q(alias)}.${q(plan.lookup.valueColumn)}` }
  })
  createFts(db, table, `${table}_fts`, columns, joins)
}

function warnUnused(flag: string, requested: string[], used: Set<string>, warnings: ConversionReport['warnings']): void {
  for (const column of requested) {
    if (!used.has(column)) warnings.push({ code: 'COLUMN_NOT_FOUND', message: `--${flag} ${column}: no table has this column` })
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}
