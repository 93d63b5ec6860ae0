import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import { DatapubError } from '../errors/datapub-error.js'
import type { ErrorCode } from '../errors/error-codes.js'
import { Bind, bindCsvRows, type BindColumn, type BindPlan } from './bind-csv-rows.js'
import type { SideInsert, SideInsertMessage } from './csv-bind-worker.js'
import type { LookupTable } from './lookup-table.js'
import { quoteIdentifier as q } from './quote-identifier.js'
import { readCsvFile } from './read-csv-file.js'
import type { CsvScan } from './scan-csv-file.js'

export { Bind }

export interface ColumnBinding extends BindColumn {
  name: string
  lookup?: LookupTable
  convert?: (text: string) => string
}

export interface InsertOptions {
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
  skipErrors: boolean
  signal?: AbortSignal | undefined
  onBytes?(bytes: number): void
  onRows?(rows: number): void
}

/** Files smaller than this stay on one thread: a worker's start costs more than it saves. */
const SPLIT_MIN_BYTES = 4 << 20

/**
 * Where pass one should record a row boundary for a file of `size` bytes, or undefined to keep
 * it on one thread. DATAPUB_CSV_THREADS=1 keeps every file on one thread; =2 splits even small
 * files (tests use it to cover the two-thread path).
 */
export function splitTarget(size: number): number | undefined {
  const setting = process.env.DATAPUB_CSV_THREADS
  if (setting === '1' || size < (setting === '2' ? 2 : SPLIT_MIN_BYTES)) return undefined
  return Math.floor(size / 2)
}
/** The worker exists only in the build (dist/); running from sources, everything stays on this thread. */
const WORKER_URL = new URL('./csv-bind-worker.js', import.meta.url)

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
  const split = canSplit(scan, options, converted.length) ? scan.split : undefined
  const side =
    split === undefined
      ? undefined
      : startSideInsert(
          {
            plan: { ...plan, header: false },
            start: split.offset,
            line: split.line,
            database: options.scratch,
            createSql: `CREATE TABLE ${q(options.table)} (${columns.map((c, i) => `${q(c.name)} ${options.types[i]}`).join(', ')})`,
            insertHead: head,
          },
          options,
        )
  try {
    const { parser, finish } = bindCsvRows(plan, write)
    await readCsvFile(file, parser, { signal: options.signal, onBytes: options.onBytes, ...(split === undefined ? {} : { end: split.offset }) })
    finish()
    if (side !== undefined) {
      const rows = await side.done
      // ATTACH is refused inside a transaction. The file is private until renamed and journal_mode
      // is OFF, so ending the transaction here costs nothing and risks nothing.
      db.exec('COMMIT')
      db.prepare('ATTACH DATABASE ? AS datapub_side').run(options.scratch)
      try {
        db.exec('BEGIN')
        db.exec(options.fresh ? `INSERT INTO main.${q(options.table)} SELECT * FROM datapub_side.${q(options.table)}` : `${head.replace('INSERT INTO ', 'INSERT INTO main.')} SELECT ${names} FROM datapub_side.${q(options.table)}`)
        db.exec('COMMIT')
      } finally {
        db.exec('DETACH DATABASE datapub_side')
        db.exec('BEGIN')
      }
      inserted += rows
      options.onRows?.(rows)
    }
  } catch (error) {
    side?.cancel()
    throw error
  } finally {
    if (side !== undefined) rmSync(options.scratch, { force: true })
  }
  return { rows: inserted, threads: side === undefined ? 1 : 2 }
}

function canSplit(scan: CsvScan, options: InsertOptions, converted: number): boolean {
  if (scan.split === undefined) return false
  // Lookup ids and date warnings live on this thread; a constraint error must name its line.
  if (converted > 0 || options.batch === 1) return false
  return existsSync(fileURLToPath(WORKER_URL))
}

/** Starts the worker; `done` resolves with the rows it inserted, `cancel` stops it. */
function startSideInsert(job: SideInsert, options: InsertOptions): { done: Promise<number>; cancel(): void } {
  const worker = new Worker(WORKER_URL, { workerData: job })
  let cancel = (): void => undefined
  const done = new Promise<number>((resolve, reject) => {
    let rows = 0
    let settled = false
    const finish = (error: unknown, value?: number): void => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      if (error === undefined) resolve(value!)
      else {
        void worker.terminate()
        reject(error)
      }
    }
    const onAbort = (): void => finish(new DatapubError('ABORTED', 'The conversion was cancelled.'))
    cancel = () => finish(new DatapubError('ABORTED', 'The conversion was cancelled.'))
    options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (message: SideInsertMessage) => {
      if (message.bytes) options.onBytes?.(message.bytes)
      // Progress counts the worker's rows only once they are merged; here it shows bytes.
      if (message.rows) rows += message.rows
      if (message.type === 'done') finish(undefined, rows)
      else if (message.type === 'error') {
        const e = message.error!
        finish(new DatapubError(e.code as ErrorCode, e.message, { ...(e.hint === undefined ? {} : { hint: e.hint }), ...(e.path === undefined ? {} : { path: e.path }), ...(e.details === undefined ? {} : { details: e.details }) }))
      }
    })
    worker.on('error', (error) => finish(new DatapubError('INTERNAL', `The CSV worker failed: ${error.message}`, { cause: error })))
    worker.on('exit', (code) => finish(new DatapubError('INTERNAL', `The CSV worker exited (code ${code}) before finishing`)))
  })
  // A rejection nobody awaits yet (this thread is still inserting) must not crash the process.
  done.catch(() => undefined)
  return { done, cancel }
}
