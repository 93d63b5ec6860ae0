import { parseIntegerField } from './classify-field.js'
import { CsvParser, FIELD_ESCAPED } from './csv-parser.js'
import type { CsvDialect } from './resolve-dialect.js'
import type { TextEncoding } from './text-encoding.js'

/** How a value is bound. Numbers bind as numbers so SQLite stores INTEGER/REAL, not text. */
export const Bind = { Text: 0, Integer: 1, Real: 2, Lookup: 3, Date: 4, Constant: 5 } as const
export type Bind = (typeof Bind)[keyof typeof Bind]

/** Node's unchecked slice methods: the parser guarantees the bounds, and they skip toString's argument checks. */
type FastBuffer = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

/** What the binder needs of a column: plain data, so it can cross to a worker thread. */
export interface BindColumn {
  bind: Bind
  /** Header position in this file; -1 for constants. */
  source: number
  constant?: string | number | null
}

export interface BindPlan {
  file: string
  dialect: CsvDialect
  encoding: TextEncoding
  headerWidth: number
  columns: BindColumn[]
  /** Rows per batch handed to onBatch (one INSERT statement each). */
  batch: number
  /** False when parsing starts at a row boundary past the header (the second half of a split file). */
  header: boolean
}

/**
 * Pass two's parsing half: turns rows into flat parameter arrays of `batch` rows, numbers as
 * numbers (BigInt past 2^53) and everything else as decoded text. Lookup and date columns are
 * handed over as text and converted by the writer, which owns the lookup tables. `onBatch`
 * receives a fresh array each time, so batches can be queued or posted to another thread.
 */
export function bindCsvRows(plan: BindPlan, onBatch: (params: unknown[], lines: Int32Array, rows: number) => void): { parser: CsvParser; finish(): void } {
  const { columns, encoding, headerWidth } = plan
  const width = columns.length
  const batch = Math.max(1, plan.batch)
  let params: unknown[] = new Array(batch * width)
  let lines = new Int32Array(batch)
  let pending = 0
  let headerSeen = !plan.header
  const quoteChar = String.fromCharCode(plan.dialect.quote)
  const doubled = quoteChar + quoteChar
  const utf8 = encoding === 'utf8'
  const parser = new CsvParser(plan.file, plan.dialect.separator, plan.dialect.quote, (p, raw, n, line) => {
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
      const bind = column.bind
      if (bind === Bind.Constant) {
        params[k] = column.constant
        continue
      }
      const i = column.source
      if (i >= n) {
        params[k] = null
        continue
      }
      const s = starts[i]!
      const e = ends[i]!
      if (s === e) params[k] = null
      else if (bind === Bind.Integer) params[k] = parseIntegerField(buf, s, e)
      else if (bind === Bind.Real) params[k] = Number(buf.latin1Slice(s, e))
      else {
        const text = utf8 ? buf.utf8Slice(s, e) : buf.latin1Slice(s, e)
        params[k] = (flags[i]! & FIELD_ESCAPED) !== 0 ? text.replaceAll(doubled, quoteChar) : text
      }
    }
    lines[pending] = line
    pending++
    if (pending === batch) {
      onBatch(params, lines, batch)
      params = new Array(batch * width)
      lines = new Int32Array(batch)
      pending = 0
    }
  })
  const finish = (): void => {
    if (pending === 0) return
    params.length = pending * width
    onBatch(params, lines.subarray(0, pending), pending)
    pending = 0
  }
  return { parser, finish }
}
