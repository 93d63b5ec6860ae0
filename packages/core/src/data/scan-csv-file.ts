import { DatapubError } from '../errors/datapub-error.js'
import { classifyField, LOOKS_INTEGER, LOOKS_REAL } from './classify-field.js'
import { CsvParser, FIELD_ESCAPED, FIELD_QUOTED } from './csv-parser.js'
import type { CsvDialect } from './resolve-dialect.js'
import { readCsvFile } from './read-csv-file.js'
import { uniqueHeaders } from './unique-headers.js'

export type TextEncoding = 'utf8' | 'latin1'

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
 * whether every non-empty value is an integer or a number. It works on bytes only, so it runs
 * at parse speed and needs no memory beyond one chunk.
 */
export async function scanCsvFile(file: string, dialect: CsvDialect, options: ScanOptions): Promise<CsvScan> {
  let rawHeaders: Buffer[] | undefined
  /** Which header fields were quoted with doubled quotes inside: only those are unescaped. */
  let escapedHeaders: boolean[] = []
  let width = 0
  let rows = 0
  let skipped = 0
  let canInteger = new Uint8Array(0)
  let canReal = new Uint8Array(0)
  let hasValue = new Uint8Array(0)
  /** Columns already known to be text: classification is skipped for them. */
  let settled = new Uint8Array(0)
  const nonNumeric = options.quoting === 2
  const parser = new CsvParser(file, dialect.separator, dialect.quote, (p, buf, n, line) => {
    const starts = p.starts
    const ends = p.ends
    if (rawHeaders === undefined) {
      rawHeaders = []
      for (let i = 0; i < n; i++) rawHeaders.push(Buffer.from(buf.subarray(starts[i], ends[i])))
      escapedHeaders = Array.from({ length: n }, (_, i) => (p.flags[i]! & FIELD_ESCAPED) !== 0)
      width = n
      canInteger = new Uint8Array(n).fill(1)
      canReal = new Uint8Array(n).fill(1)
      hasValue = new Uint8Array(n)
      settled = new Uint8Array(n)
      if (p.rowNul) throw p.error('CSV_INVALID', 'the header contains a NUL byte', line, nulColumn(p, n), 'The file may be binary or UTF-16; save it as UTF-8 CSV.')
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
      if ((kind & LOOKS_REAL) === 0) {
        canReal[i] = 0
        settled[i] = 1
      }
    }
  })
  const read = await readCsvFile(file, parser, { signal: options.signal, validateUtf8: options.encoding !== 'latin1', onBytes: options.onBytes })
  let encoding: TextEncoding = options.encoding === 'latin1' ? 'latin1' : 'utf8'
  if (!read.utf8) {
    if (options.encoding === 'utf8') {
      const at = read.invalidAt ?? { line: 1, column: 1 }
      throw new DatapubError('CSV_ENCODING', `${file}: line ${at.line}, column ${at.column}: not valid UTF-8`, {
        path: file,
        details: { file, ...at },
        hint: 'Save the file as UTF-8, or pass encoding latin-1.',
      })
    }
    encoding = 'latin1'
  }
  const headers = rawHeaders === undefined ? [] : uniqueHeaders(rawHeaders.map((b, i) => (escapedHeaders[i] ? b.toString(encoding).replaceAll('""', '"') : b.toString(encoding))))
  return { file, dialect, encoding, headers, rows, skipped, canInteger, canReal, hasValue, bytes: read.bytes }
}

function nulColumn(p: CsvParser, n: number): number {
  for (let i = 0; i < n; i++) if (p.flags[i]! & 4) return i + 1
  return 1
}
