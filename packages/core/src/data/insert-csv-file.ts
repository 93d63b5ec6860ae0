import type Database from 'better-sqlite3'
import { DatapubError } from '../errors/datapub-error.js'
import { parseIntegerField } from './classify-field.js'
import { CsvParser, FIELD_ESCAPED } from './csv-parser.js'
import type { LookupTable } from './lookup-table.js'
import { quoteIdentifier as q } from './quote-identifier.js'
import { readCsvFile } from './read-csv-file.js'
import type { CsvScan } from './scan-csv-file.js'

/** How a value is bound. Numbers bind as numbers so SQLite stores INTEGER/REAL, not text. */
export const Bind = { Text: 0, Integer: 1, Real: 2, Lookup: 3, Date: 4, Constant: 5 } as const
export type Bind = (typeof Bind)[keyof typeof Bind]

/** Node's unchecked slice methods: the parser guarantees the bounds, and they skip toString's argument checks. */
type FastBuffer = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

export interface ColumnBinding {
  name: string
  bind: Bind
  /** Header position in this file; -1 for constants. */
  source: number
  lookup?: LookupTable
  constant?: string | number | null
  convert?: (text: string) => string
}

export interface InsertOptions {
  db: Database.Database
  table: string
  columns: ColumnBinding[]
  /** Rows per INSERT statement; 1 gives exact line numbers for constraint errors. */
  batch: number
  skipErrors: boolean
  signal?: AbortSignal | undefined
  onBytes?(bytes: number): void
  onRows?(rows: number): void
}

/**
 * Pass two: parses the file again and inserts typed values with multi-row prepared statements,
 * which cuts the per-row cost of crossing from JavaScript into SQLite.
 */
export async function insertCsvFile(scan: CsvScan, options: InsertOptions): Promise<number> {
  const { db, columns } = options
  const width = columns.length
  const batch = Math.max(1, options.batch)
  const names = columns.map((c) => q(c.name)).join(', ')
  const tuple = `(${new Array(width).fill('?').join(', ')})`
  const insertSql = (rows: number): string => `INSERT INTO ${q(options.table)} (${names}) VALUES ${new Array(rows).fill(tuple).join(', ')}`
  const full = db.prepare(insertSql(batch))
  const params: unknown[] = new Array(batch * width)
  const lines = new Int32Array(batch)
  let pending = 0
  let inserted = 0
  let headerSeen = false
  const encoding = scan.encoding
  const headerWidth = scan.headers.length
  const quoteChar = String.fromCharCode(scan.dialect.quote)
  const doubled = quoteChar + quoteChar
  const file = scan.file

  const flush = (rows: number): void => {
    if (rows === 0) return
    const statement = rows === batch ? full : db.prepare(insertSql(rows))
    try {
      statement.run(rows === batch ? params : params.slice(0, rows * width))
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

  const parser = new CsvParser(file, scan.dialect.separator, scan.dialect.quote, (p, raw, n, line) => {
    const buf = raw as FastBuffer
    if (!headerSeen) {
      headerSeen = true
      return
    }
    // Pass one already failed on these unless skipErrors was given.
    if (n > headerWidth || p.rowNul) return
    const starts = p.starts
    const ends = p.ends
    const flags = p.flags
    let k = pending * width
    for (let c = 0; c < width; c++, k++) {
      const column = columns[c]!
      const i = column.source
      if (column.bind === Bind.Constant) {
        params[k] = column.constant
        continue
      }
      if (i >= n) {
        params[k] = null
        continue
      }
      const s = starts[i]!
      const e = ends[i]!
      if (s === e) {
        params[k] = null
        continue
      }
      switch (column.bind) {
        case Bind.Integer:
          params[k] = parseIntegerField(buf, s, e)
          break
        case Bind.Real:
          params[k] = Number(buf.latin1Slice(s, e))
          break
        default: {
          let text = encoding === 'utf8' ? buf.utf8Slice(s, e) : buf.latin1Slice(s, e)
          if ((flags[i]! & FIELD_ESCAPED) !== 0) text = text.replaceAll(doubled, quoteChar)
          if (column.bind === Bind.Text) params[k] = text
          else if (column.bind === Bind.Lookup) params[k] = column.lookup!.id(text)
          else params[k] = column.convert!(text)
        }
      }
    }
    lines[pending] = line
    pending++
    if (pending === batch) {
      flush(batch)
      pending = 0
    }
  })
  await readCsvFile(file, parser, { signal: options.signal, onBytes: options.onBytes })
  flush(pending)
  return inserted
}
