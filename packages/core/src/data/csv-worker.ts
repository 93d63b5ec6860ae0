import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { DatapubError } from '../errors/datapub-error.js'
import type { ErrorCode } from '../errors/error-codes.js'
import type { BindPlan } from './bind-csv-rows.js'
import type { CsvDialect } from './resolve-dialect.js'
import type { RangeScan, RangeScanOptions, ScanRange } from './scan-csv-range.js'

/** Files smaller than this stay on one thread: a worker's start costs more than it saves. */
const SPLIT_MIN_BYTES = 4 << 20
/** The thread's entry exists only in the build (dist/); running from sources, everything stays on one thread. */
const THREAD_URL = new URL('./csv-worker-thread.js', import.meta.url)

export interface SideInsert {
  plan: BindPlan
  /** Row boundary where this half starts, and its physical line. */
  start: number
  line: number
  /** The side database file and the statements that make and fill its one table. */
  database: string
  createSql: string
  /** `INSERT INTO t (columns)`, completed with as many `VALUES` tuples as a batch has rows. */
  insertHead: string
}

/** Scan options that cross to the thread: plain data, no callbacks. */
export type ThreadScanOptions = Omit<RangeScanOptions, 'signal' | 'onBytes' | 'onHeader'>

export type WorkerRequest =
  | { type: 'scan'; file: string; dialect: CsvDialect; range: ScanRange; options: ThreadScanOptions }
  | { type: 'insert'; job: SideInsert }
  | { type: 'close' }

export interface WorkerReply {
  type: 'scanned' | 'progress' | 'inserted' | 'error'
  result?: RangeScan
  rows?: number
  bytes?: number
  error?: { code: string; message: string; hint?: string; path?: string; details?: Record<string, unknown> }
}

/**
 * Whether a file of `size` bytes is worth a second thread. DATAPUB_CSV_THREADS=1 keeps every file
 * on one thread; =2 splits even small files (tests use it to cover the two-thread path).
 */
export function wantsSecondThread(size: number): boolean {
  const setting = process.env.DATAPUB_CSV_THREADS
  if (setting === '1' || size < (setting === '2' ? 2 : SPLIT_MIN_BYTES)) return false
  return existsSync(fileURLToPath(THREAD_URL))
}

/**
 * The second thread of one file's conversion: it scans the file's second half while this thread
 * scans the first, then inserts that half into a side database while this thread inserts the
 * first. One operation at a time; `close` ends the thread.
 */
export class CsvWorker {
  private readonly worker = new Worker(THREAD_URL)
  private handler: ((reply: WorkerReply) => void) | undefined
  private failure: ((error: unknown) => void) | undefined
  private closed = false

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => this.handler?.(reply))
    this.worker.on('error', (error) => this.failure?.(new DatapubError('INTERNAL', `The CSV worker failed: ${error.message}`, { cause: error })))
    this.worker.on('exit', (code) => {
      if (!this.closed) this.failure?.(new DatapubError('INTERNAL', `The CSV worker exited (code ${code}) before finishing`))
    })
    // Idle between operations, it must not keep the process alive.
    this.worker.unref()
  }

  scan(file: string, dialect: CsvDialect, range: ScanRange, options: ThreadScanOptions): Promise<RangeScan> {
    return this.run({ type: 'scan', file, dialect, range, options }, (reply, resolve) => {
      if (reply.type === 'scanned') resolve(reply.result!)
    })
  }

  insert(job: SideInsert, onBytes?: (bytes: number) => void): Promise<number> {
    return this.run({ type: 'insert', job }, (reply, resolve) => {
      if (reply.bytes) onBytes?.(reply.bytes)
      if (reply.type === 'inserted') resolve(reply.rows!)
    })
  }

  /** Ends the thread; an operation still running fails with ABORTED. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.failure?.(new DatapubError('ABORTED', 'The conversion was cancelled.'))
    void this.worker.terminate()
  }

  private run<T>(request: WorkerRequest, onReply: (reply: WorkerReply, resolve: (value: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new DatapubError('INTERNAL', 'The CSV worker is closed'))
    const done = new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        this.handler = undefined
        this.failure = undefined
        this.worker.unref()
      }
      this.failure = (error) => {
        settle()
        reject(error)
      }
      this.handler = (reply) => {
        if (reply.type === 'error') {
          const e = reply.error!
          this.failure?.(new DatapubError(e.code as ErrorCode, e.message, { ...(e.hint === undefined ? {} : { hint: e.hint }), ...(e.path === undefined ? {} : { path: e.path }), ...(e.details === undefined ? {} : { details: e.details }) }))
          return
        }
        onReply(reply, (value) => {
          settle()
          resolve(value)
        })
      }
    })
    this.worker.ref()
    this.worker.postMessage(request)
    // A rejection nobody awaits yet (this thread is busy with its own half) must not crash the process.
    done.catch(() => undefined)
    return done
  }
}
