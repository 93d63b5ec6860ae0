import { classifyField, LOOKS_INTEGER, LOOKS_REAL } from './classify-field.js'
import { CsvParser, FIELD_ESCAPED, FIELD_QUOTED } from './csv-parser.js'
import type { CsvDialect } from './resolve-dialect.js'
import { readCsvFile } from './read-csv-file.js'
import type { CsvPassOptions } from './csv-pass-options.js'

/** A byte range of a CSV file to scan. Without `width` the range starts with the header row. */
export interface ScanRange {
  start: number
  /** Exclusive; the file's end when absent. */
  end?: number
  /** Physical line where the range starts. */
  line: number
  /** Header width, when the range starts past the header. */
  width?: number
}

export interface RangeScanOptions extends CsvPassOptions {
  quoting: number
  validateUtf8: boolean
  /** Called once the header row is parsed, before any data row. */
  onHeader?(width: number): void
}

/** What scanning one range learns; per-column arrays are indexed by header position. Plain data, so it can cross threads. */
export interface RangeScan {
  rawHeaders?: Buffer[]
  /** Which header fields were quoted with doubled quotes inside: only those are unescaped. */
  escapedHeaders?: boolean[]
  width: number
  rows: number
  skipped: number
  canInteger: Uint8Array
  canReal: Uint8Array
  hasValue: Uint8Array
  utf8: boolean
  invalidAt?: { line: number; column: number }
  bytes: number
  /** File offset where parsing stopped: `end`, or the start of a row that `end` cuts (then `cut` is true). */
  stoppedAt: number
  /** Physical line of the row starting at stoppedAt. */
  line: number
  /** `end` fell inside a row (a quoted newline): the range must be continued from stoppedAt. */
  cut: boolean
}

/**
 * Pass one over a byte range: validates structure and records, per column, whether every
 * non-empty value is an integer or a number. Bytes only; memory is one chunk. Errors name the
 * physical line, counted from `range.line`.
 */
export async function scanCsvRange(file: string, dialect: CsvDialect, range: ScanRange, options: RangeScanOptions): Promise<RangeScan> {
  let rawHeaders: Buffer[] | undefined
  let escapedHeaders: boolean[] | undefined
  let width = range.width ?? 0
  let rows = 0
  let skipped = 0
  let canInteger = new Uint8Array(width).fill(1)
  let canReal = new Uint8Array(width).fill(1)
  let hasValue = new Uint8Array(width)
  /** Columns already known to be text: classification is skipped for them. */
  let settled = new Uint8Array(width)
  let headerSeen = range.width !== undefined
  const nonNumeric = options.quoting === 2
  const parser = new CsvParser(file, dialect.separator, dialect.quote, (p, buf, n, line) => {
    const starts = p.starts
    const ends = p.ends
    if (!headerSeen) {
      headerSeen = true
      rawHeaders = []
      for (let i = 0; i < n; i++) rawHeaders.push(Buffer.from(buf.subarray(starts[i], ends[i])))
      escapedHeaders = Array.from({ length: n }, (_, i) => (p.flags[i]! & FIELD_ESCAPED) !== 0)
      width = n
      canInteger = new Uint8Array(n).fill(1)
      canReal = new Uint8Array(n).fill(1)
      hasValue = new Uint8Array(n)
      settled = new Uint8Array(n)
      if (p.rowNul) throw p.error('CSV_INVALID', 'the header contains a NUL byte', line, nulColumn(p, n), 'The file may be binary or UTF-16; save it as UTF-8 CSV.')
      options.onHeader?.(n)
      return
    }
    if (n > width || p.rowNul) {
      if (options.skipErrors) {
        skipped++
        return
      }
      if (p.rowNul) throw p.error('CSV_INVALID', 'a NUL byte in a field', line, nulColumn(p, n), 'Remove NUL bytes (the file may be binary or UTF-16), or pass --skip-errors to drop such rows.')
      throw p.error('CSV_INVALID', `expected ${width} fields, saw ${n}`, line, width + 1, 'Fix the row, check the separator, or pass --skip-errors to drop rows with too many fields.')
    }
    rows++
    const flags = p.flags
    for (let i = 0; i < n; i++) {
      if (settled[i]) continue
      const s = starts[i]!
      const e = ends[i]!
      if (s === e) continue
      hasValue[i] = 1
      let kind: number
      if (nonNumeric && (flags[i]! & FIELD_QUOTED) !== 0) kind = 0
      else {
        kind = classifyField(buf, s, e)
        if (nonNumeric && kind === 0) throw p.error('CSV_INVALID', 'quoting 2 (non-numeric) needs unquoted fields to be numbers', line, i + 1)
      }
      if ((kind & LOOKS_INTEGER) === 0) canInteger[i] = 0
      if ((kind & LOOKS_REAL) === 0) canReal[i] = 0
      // An integer past 2^53 can rule out REAL while INTEGER still holds: settled only when both are out.
      if (canInteger[i] === 0 && canReal[i] === 0) settled[i] = 1
    }
  })
  parser.line = range.line
  // A range that ends early may cut a row; the rest is then scanned from where it starts.
  if (range.end !== undefined) parser.softEnd = true
  const read = await readCsvFile(file, parser, {
    signal: options.signal,
    validateUtf8: options.validateUtf8,
    onBytes: options.onBytes,
    start: range.start,
    ...(range.end === undefined ? {} : { end: range.end }),
  })
  const result: RangeScan = { width, rows, skipped, canInteger, canReal, hasValue, utf8: read.utf8, bytes: read.bytes, stoppedAt: read.stoppedAt, line: parser.line, cut: parser.cut }
  if (rawHeaders !== undefined) result.rawHeaders = rawHeaders
  if (escapedHeaders !== undefined) result.escapedHeaders = escapedHeaders
  if (read.invalidAt !== undefined) result.invalidAt = read.invalidAt
  return result
}

function nulColumn(p: CsvParser, n: number): number {
  for (let i = 0; i < n; i++) if (p.flags[i]! & 4) return i + 1
  return 1
}
