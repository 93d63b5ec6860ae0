import { rmSync } from 'node:fs'
import type Database from 'better-sqlite3'
import { DatapubError } from '../errors/datapub-error.js'
import { Bind, bindCsvRows, type BindColumn, type BindPlan } from './bind-csv-rows.js'
import { CsvWorker } from './csv-worker.js'
import type { LookupTable } from './lookup-table.js'
import { quoteIdentifier as q } from './quote-identifier.js'
import { readCsvFile } from './read-csv-file.js'
import type { CsvScan } from './scan-csv-file.js'
import type { CsvPassOptions } from './csv-pass-options.js'

export { Bind }

export interface ColumnBinding extends BindColumn {
  name: string
  lookup?: LookupTable
  convert?: (text: string) => string
}

export interface InsertOptions extends CsvPassOptions {
  db: Database.Database
  table: string
  columns: ColumnBinding[]
  /** Declared type of each column (same order), for the worker's side table. */
  types: string[]
  /** The table was created by this conversion and `columns` are all of its columns, in order. */
  fresh: boolean
  /** Where the worker may put its side database (deleted after the merge). */
  scratch: string
  /** Rows per INSERT statement; 1 gives exact line numbers for constraint errors. */
  batch: number
  onRows?(rows: number): void
}

/**
 * Pass two: parses the file again and inserts typed values with multi-row prepared statements,
 * which cuts the per-row cost of crossing from JavaScript into SQLite. A large file is split at
 * the row boundary pass one recorded: a worker thread inserts the second half into a side
 * database while this thread inserts the first, then one `INSERT ... SELECT` appends the side
 * table (SQLite copies the records without decoding them when the tables match).
 */
export async function insertCsvFile(scan: CsvScan, options: InsertOptions): Promise<{ rows: number; threads: 1 | 2 }> {
  const { db, columns } = options
  const width = columns.length
  const batch = Math.max(1, options.batch)
  const names = columns.map((c) => q(c.name)).join(', ')
  const tuple = `(${new Array(width).fill('?').join(', ')})`
  const head = `INSERT INTO ${q(options.table)} (${names})`
  const insertSql = (rows: number): string => `${head} VALUES ${new Array(rows).fill(tuple).join(', ')}`
  const full = db.prepare(insertSql(batch))
  const converted = columns.flatMap((c, i) => (c.bind === Bind.Lookup || c.bind === Bind.Date ? [i] : []))
  let inserted = 0
  const file = scan.file

  const write = (params: unknown[], lines: Int32Array, rows: number): void => {
    if (rows === 0) return
    for (const c of converted) {
      const column = columns[c]!
      for (let k = c; k < rows * width; k += width) {
        const text = params[k]
        if (typeof text !== 'string') continue
        params[k] = column.bind === Bind.Lookup ? column.lookup!.id(text) : column.convert!(text)
      }
    }
    const statement = rows === batch ? full : db.prepare(insertSql(rows))
    try {
      statement.run(params)
    } catch (error) {
      const where = rows === 1 ? `line ${lines[0]}` : `lines ${lines[0]}-${lines[rows - 1]}`
      throw new DatapubError('CSV_INVALID', `${file}: ${where}: ${(error as Error).message}`, {
        path: file,
        details: { file, line: lines[0], column: 1 },
        hint: 'A primary key or constraint rejected the row; remove duplicates or choose another --primary-key.',
        cause: error,
      })
    }
    inserted += rows
    options.onRows?.(rows)
  }

  const plan: BindPlan = {
    file,
    dialect: scan.dialect,
    encoding: scan.encoding,
    headerWidth: scan.headers.length,
    columns: columns.map((c) => (c.bind === Bind.Constant ? { bind: c.bind, source: c.source, constant: c.constant ?? null } : { bind: c.bind, source: c.source })),
    batch,
    header: true,
  }
  // Lookup ids and date warnings live on this thread; a constraint error must name its line.
  const split = converted.length === 0 && batch > 1 ? scan.split : undefined
  let helper = scan.helper
  delete scan.helper
  if (split === undefined) helper?.close()
  else helper ??= new CsvWorker()
  const abort = (): void => helper?.close()
  options.signal?.addEventListener('abort', abort, { once: true })
  const side =
    split === undefined || helper === undefined
      ? undefined
      : helper.insert(
          {
            plan: { ...plan, header: false },
            start: split.offset,
            line: split.line,
            database: options.scratch,
            createSql: `CREATE TABLE ${q(options.table)} (${columns.map((c, i) => `${q(c.name)} ${options.types[i]}`).join(', ')})`,
            insertHead: head,
          },
          options.onBytes,
        )
  try {
    const { parser, finish } = bindCsvRows(plan, write)
    await readCsvFile(file, parser, { signal: options.signal, onBytes: options.onBytes, ...(side === undefined ? {} : { end: split!.offset }) })
    finish()
    if (side !== undefined) {
      const rows = await side
      if (options.signal?.aborted) throw new DatapubError('ABORTED', 'The conversion was cancelled.')
      // ATTACH is refused inside a transaction. The file is private until renamed and journal_mode
      // is OFF, so ending the transaction here costs nothing and risks nothing.
      db.exec('COMMIT')
      db.prepare('ATTACH DATABASE ? AS datapub_side').run(options.scratch)
      // On failure the whole temporary database is discarded, so only success needs tidying up.
      db.exec('BEGIN')
      db.exec(options.fresh ? `INSERT INTO main.${q(options.table)} SELECT * FROM datapub_side.${q(options.table)}` : `${head.replace('INSERT INTO ', 'INSERT INTO main.')} SELECT ${names} FROM datapub_side.${q(options.table)}`)
      db.exec('COMMIT')
      db.exec('DETACH DATABASE datapub_side')
      db.exec('BEGIN')
      inserted += rows
      options.onRows?.(rows)
    }
  } finally {
    options.signal?.removeEventListener('abort', abort)
    helper?.close()
    if (side !== undefined) rmSync(options.scratch, { force: true })
  }
  return { rows: inserted, threads: side === undefined ? 1 : 2 }
}
