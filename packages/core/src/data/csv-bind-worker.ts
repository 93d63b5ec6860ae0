// Worker thread entry: inserts the second half of a large CSV file into a side database of its
// own while the main thread inserts the first half, so parsing, binding and SQLite's work run on
// both cores. The main thread then appends the side table to the real one in one statement.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { isDatapubError } from '../errors/datapub-error.js'
import { bindCsvRows, type BindPlan } from './bind-csv-rows.js'
import { readCsvFile } from './read-csv-file.js'

export interface SideInsert {
  plan: BindPlan
  /** Row boundary where this half starts, and its physical line. */
  start: number
  line: number
  /** The side database file and the statements that make and fill its one table. */
  database: string
  createSql: string
  /** `INSERT INTO t (columns)`, completed here with as many `VALUES` tuples as a batch has rows. */
  insertHead: string
}

export interface SideInsertMessage {
  type: 'progress' | 'done' | 'error'
  bytes?: number
  rows?: number
  error?: { code: string; message: string; hint?: string; path?: string; details?: Record<string, unknown> }
}

const port = parentPort!
const job = workerData as SideInsert
let db: Database.Database | undefined
try {
  db = new Database(job.database)
  // A private scratch file, deleted after the merge: durability buys nothing here.
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('locking_mode = EXCLUSIVE')
  db.pragma('cache_size = -32768')
  db.exec(job.createSql)
  db.exec('BEGIN')
  const width = job.plan.columns.length
  const tuple = `(${new Array(width).fill('?').join(', ')})`
  const insertSql = (n: number): string => `${job.insertHead} VALUES ${new Array(n).fill(tuple).join(', ')}`
  const full = db.prepare(insertSql(job.plan.batch))
  let pendingRows = 0
  const { parser, finish } = bindCsvRows(job.plan, (params, _lines, n) => {
    ;(n === job.plan.batch ? full : db!.prepare(insertSql(n))).run(params)
    pendingRows += n
  })
  parser.line = job.line
  let bytes = 0
  await readCsvFile(job.plan.file, parser, {
    start: job.start,
    onBytes: (n) => {
      bytes += n
    },
    afterChunk: () => {
      port.postMessage({ type: 'progress', bytes, rows: pendingRows } satisfies SideInsertMessage)
      bytes = 0
      pendingRows = 0
      return undefined
    },
  })
  finish()
  db.exec('COMMIT')
  db.close()
  db = undefined
  port.postMessage({ type: 'done', bytes, rows: pendingRows } satisfies SideInsertMessage)
} catch (error) {
  db?.close()
  const e = error as Error & { code?: string; hint?: string; path?: string; details?: Record<string, unknown> }
  const serialized = isDatapubError(error)
    ? { code: e.code!, message: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }), ...(e.path === undefined ? {} : { path: e.path }), ...(e.details === undefined ? {} : { details: e.details }) }
    : { code: 'SQLITE_INVALID', message: e.message }
  port.postMessage({ type: 'error', error: serialized } satisfies SideInsertMessage)
}
