import { open, stat } from 'node:fs/promises'
import { DatapubError } from '../errors/datapub-error.js'
import { CsvWorker, wantsSecondThread } from './csv-worker.js'
import type { CsvDialect } from './resolve-dialect.js'
import { scanCsvRange, type RangeScan } from './scan-csv-range.js'
import type { TextEncoding } from './text-encoding.js'
import { uniqueHeaders } from './unique-headers.js'

export type { TextEncoding }

/** What the first pass learns about one file. Per-column arrays are indexed by header position. */
export interface CsvScan {
  file: string
  dialect: CsvDialect
  encoding: TextEncoding
  /** Unique, decoded header names; empty for an empty file. */
  headers: string[]
  rows: number
  /** Rows skipped by skipErrors (too many fields or NUL bytes). */
  skipped: number
  canInteger: Uint8Array
  canReal: Uint8Array
  hasValue: Uint8Array
  bytes: number
  /** A row boundary near the middle of a large file: pass two inserts the halves on two threads. */
  split?: { offset: number; line: number }
  /** The second thread, idle and ready for pass two (the caller closes it). */
  helper?: CsvWorker
}

export interface ScanOptions {
  encoding: 'auto' | TextEncoding
  quoting: number
  skipErrors: boolean
  signal?: AbortSignal | undefined
  onBytes?(bytes: number): void
}

/**
 * Pass one: validates the structure and encoding of the whole file and records, per column,
 * whether every non-empty value is an integer or a number. On a large file a worker thread
 * scans from the first line start past the middle while this thread scans up to it; the guess
 * is a row boundary exactly when this thread's half ends there with no quoted field open, and
 * otherwise this thread scans the rest itself. Errors found by the worker are found again
 * here, so their line numbers are exact.
 */
export async function scanCsvFile(file: string, dialect: CsvDialect, options: ScanOptions): Promise<CsvScan> {
  const size = (await stat(file)).size
  const threadOptions = { quoting: options.quoting, skipErrors: options.skipErrors, validateUtf8: options.encoding !== 'latin1' }
  const here = { ...threadOptions, signal: options.signal, onBytes: options.onBytes }
  const guess = wantsSecondThread(size) ? await lineStartAfter(file, Math.floor(size / 2), size) : undefined
  let helper: CsvWorker | undefined
  let second: Promise<RangeScan> | undefined
  try {
    const first = await scanCsvRange(file, dialect, { start: 0, line: 1, ...(guess === undefined ? {} : { end: guess }) }, {
      ...here,
      onHeader: (width) => {
        if (guess === undefined) return
        helper = new CsvWorker()
        second = helper.scan(file, dialect, { start: guess, line: 1, width }, threadOptions)
      },
    })
    let rest: RangeScan | undefined
    let split: CsvScan['split']
    if (guess !== undefined) {
      const restHere = (start: number): Promise<RangeScan> => scanCsvRange(file, dialect, { start, line: first.line, width: first.width }, here)
      if (first.rawHeaders === undefined) {
        // The header reaches past the middle: no split.
        helper?.close()
        helper = undefined
        const whole = await scanCsvRange(file, dialect, { start: 0, line: 1 }, here)
        return toScan(file, dialect, options, whole, undefined, undefined)
      }
      if (first.cut || second === undefined) {
        // The guess fell inside a quoted field: finish here from the row it cut, a true boundary
        // near the middle that pass two can still split at.
        helper?.close()
        helper = undefined
        rest = await restHere(first.stoppedAt)
        if (first.stoppedAt < size) split = { offset: first.stoppedAt, line: first.line }
      } else {
        try {
          rest = await second
          // A position for "not UTF-8" must count lines from the file's start: find it here.
          if (!rest.utf8 && options.encoding === 'utf8') rest = await restHere(guess)
          else options.onBytes?.(rest.bytes)
        } catch {
          helper?.close()
          helper = undefined
          rest = await restHere(guess)
        }
        split = { offset: guess, line: first.line }
      }
    }
    return toScan(file, dialect, options, first, rest, split, helper)
  } catch (error) {
    helper?.close()
    throw error
  }
}

function toScan(file: string, dialect: CsvDialect, options: ScanOptions, first: RangeScan, rest: RangeScan | undefined, split: CsvScan['split'], helper?: CsvWorker): CsvScan {
  const utf8 = first.utf8 && (rest?.utf8 ?? true)
  let encoding: TextEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8'
  if (!utf8) {
    if (options.encoding === 'utf8') {
      helper?.close()
      const at = first.invalidAt ?? rest?.invalidAt ?? { line: 1, column: 1 }
      throw new DatapubError('CSV_ENCODING', `${file}: line ${at.line}, column ${at.column}: not valid UTF-8`, {
        path: file,
        details: { file, ...at },
        hint: 'Save the file as UTF-8, or pass encoding latin-1.',
      })
    }
    encoding = 'latin1'
  }
  const canInteger = first.canInteger
  const canReal = first.canReal
  const hasValue = first.hasValue
  if (rest !== undefined) {
    for (let i = 0; i < first.width; i++) {
      canInteger[i]! &= rest.canInteger[i]!
      canReal[i]! &= rest.canReal[i]!
      hasValue[i]! |= rest.hasValue[i]!
    }
  }
  const headers = first.rawHeaders === undefined ? [] : uniqueHeaders(first.rawHeaders.map((b, i) => (first.escapedHeaders?.[i] === true ? b.toString(encoding).replaceAll('""', '"') : b.toString(encoding))))
  const scan: CsvScan = {
    file,
    dialect,
    encoding,
    headers,
    rows: first.rows + (rest?.rows ?? 0),
    skipped: first.skipped + (rest?.skipped ?? 0),
    canInteger,
    canReal,
    hasValue,
    bytes: first.bytes + (rest?.bytes ?? 0),
  }
  if (split !== undefined) scan.split = split
  if (helper !== undefined) scan.helper = helper
  return scan
}

/** The offset just past the first line feed at or after `from`, or undefined when none is near (or it is the end). */
async function lineStartAfter(file: string, from: number, size: number): Promise<number | undefined> {
  const handle = await open(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 16)
    const { bytesRead } = await handle.read(buf, 0, buf.length, from)
    const lf = buf.subarray(0, bytesRead).indexOf(10)
    if (lf === -1 || from + lf + 1 >= size) return undefined
    return from + lf + 1
  } finally {
    await handle.close()
  }
}
