// Worker thread entry (see csv-worker.ts): scans the second half of a large CSV file while the
// main thread scans the first, then inserts that half into a side database while the main
// thread inserts the first. Messages: scan, insert, close.
import { parentPort } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { isDatapubError } from '../errors/datapub-error.js'
import { bindCsvRows } from './bind-csv-rows.js'
import type { SideInsert, WorkerReply, WorkerRequest } from './csv-worker.js'
import { readCsvFile } from './read-csv-file.js'
import { scanCsvRange } from './scan-csv-range.js'

const port = parentPort!

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'close') {
    port.close()
    return
  }
  const work = request.type === 'scan' ? scan(request) : insert(request.job)
  work.catch((error: unknown) => port.postMessage({ type: 'error', error: serialize(error) } satisfies WorkerReply))
})

async function scan(request: Extract<WorkerRequest, { type: 'scan' }>): Promise<void> {
  const result = await scanCsvRange(request.file, request.dialect, request.range, request.options)
  port.postMessage({ type: 'scanned', result } satisfies WorkerReply)
}

async function insert(job: SideInsert): Promise<void> {
  let db: Database.Database | undefined
  try {
    db = new Database(job.database)
    // A private scratch file, deleted after the merge: durability buys nothing here.
    db.pragma('journal_mode = OFF')
    db.pragma('synchronous = OFF')
    db.pragma('locking_mode = EXCLUSIVE')
    // Rows are appended at the end of the table: a small cache holds the pages being filled.
    db.pragma('cache_size = -16384')
    db.exec(job.createSql)
    db.exec('BEGIN')
    const width = job.plan.columns.length
    const tuple = `(${new Array(width).fill('?').join(', ')})`
    const insertSql = (n: number): string => `${job.insertHead} VALUES ${new Array(n).fill(tuple).join(', ')}`
    const full = db.prepare(insertSql(job.plan.batch))
    let rows = 0
    const { parser, finish } = bindCsvRows(job.plan, (params, _lines, n) => {
      ;(n === job.plan.batch ? full : db!.prepare(insertSql(n))).run(params)
      rows += n
    })
    parser.line = job.line
    let bytes = 0
    await readCsvFile(job.plan.file, parser, {
      start: job.start,
      onBytes: (n) => {
        bytes += n
      },
      afterChunk: () => {
        port.postMessage({ type: 'progress', bytes } satisfies WorkerReply)
        bytes = 0
        return undefined
      },
    })
    finish()
    db.exec('COMMIT')
    db.close()
    db = undefined
    port.postMessage({ type: 'inserted', rows, bytes } satisfies WorkerReply)
  } finally {
    db?.close()
  }
}

function serialize(error: unknown): NonNullable<WorkerReply['error']> {
  const e = error as Error & { code?: string; hint?: string; path?: string; details?: Record<string, unknown> }
  if (!isDatapubError(error)) return { code: 'SQLITE_INVALID', message: e.message }
  return { code: e.code!, message: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }), ...(e.path === undefined ? {} : { path: e.path }), ...(e.details === undefined ? {} : { details: e.details }) }
}
