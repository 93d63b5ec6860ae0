import { DatapubError } from '../errors/datapub-error.js'

/** Field flag bits set by the parser. */
export const FIELD_QUOTED = 1
/** The quoted field contains doubled quotes that must be unescaped. */
export const FIELD_ESCAPED = 2
export const FIELD_NUL = 4

const LF = 10
const CR = 13

export type RowHandler = (parser: CsvParser, buf: Buffer, count: number, line: number) => void

/**
 * A byte-level CSV state machine. It never decodes text: it records field offsets into reusable
 * typed arrays and hands each complete row to `onRow`, so detection can classify bytes without
 * allocating strings and the writer decodes only what it binds. A row cut by the end of the
 * buffer is left unconsumed; the caller carries those bytes into the next read and parses again.
 */
export class CsvParser {
  starts = new Int32Array(64)
  ends = new Int32Array(64)
  flags = new Uint8Array(64)
  /** Physical line (1-based) where the next row starts. */
  line = 1
  /** Some field of the row being handed to onRow contains a NUL byte. */
  rowNul = false
  /** File offset of the buffer's first byte, kept by the reader; with rowEnd it locates row boundaries. */
  base = 0
  /** Buffer offset just past the row being handed to onRow (where the next row starts). */
  rowEnd = 0
  /**
   * The input ends at an arbitrary offset (a guessed split point), not the file's end: a row
   * still open there is left unconsumed and `cut` is set, instead of being an error.
   */
  softEnd = false
  cut = false
  private nulAt = Infinity

  constructor(
    private readonly file: string,
    private readonly separator: number,
    /** -1 when quoting is off (csv.QUOTE_NONE). */
    private readonly quote: number,
    private readonly onRow: RowHandler,
  ) {}

  /** Parses complete rows in buf[from, len); returns the offset of the first unconsumed byte. */
  parse(buf: Buffer, from: number, len: number, eof: boolean): number {
    const sep = this.separator
    const quote = this.quote
    let nulAt = buf.indexOf(0, from)
    this.nulAt = nulAt === -1 || nulAt >= len ? Infinity : nulAt
    let pos = from
    while (pos < len) {
      const rowStart = pos
      const first = buf[pos]
      // Blank lines are skipped, as pandas (csvs-to-sqlite) does.
      if (first === LF || first === CR) {
        if (first === CR && pos + 1 >= len && !eof) return rowStart
        pos += first === CR && buf[pos + 1] === LF ? 2 : 1
        this.line++
        continue
      }
      let line = this.line
      let n = 0
      this.rowNul = false
      for (;;) {
        let s: number
        let e: number
        let f = 0
        if (pos < len && buf[pos] === quote) {
          f = FIELD_QUOTED
          s = pos + 1
          let q = s
          for (;;) {
            q = buf.indexOf(quote, q)
            if (q === -1 || q >= len) {
              if (!eof) return rowStart
              if (this.softEnd) {
                this.cut = true
                return rowStart
              }
              throw this.error('CSV_INVALID', `unterminated quoted field`, line, n + 1, 'Close the quote or pass quoting 3 (none) if quotes are literal.')
            }
            if (q + 1 >= len && !eof) return rowStart
            // The buffer is reused: bytes past len are stale and may hold a quote from an earlier chunk.
            if (q + 1 < len && buf[q + 1] === quote) {
              f |= FIELD_ESCAPED
              q += 2
              continue
            }
            break
          }
          e = q
          for (let i = s; i < e; i++) if (buf[i] === LF) line++
          pos = q + 1
          if (pos < len) {
            const c = buf[pos]
            if (c !== sep && c !== LF && c !== CR) {
              throw this.error('CSV_INVALID', `unexpected character after a closing quote`, line, n + 1, 'Quote the whole field and double any quote inside it ("").')
            }
          }
        } else {
          s = pos
          while (pos < len) {
            const c = buf[pos]
            if (c === sep || c === LF || c === CR) break
            pos++
          }
          e = pos
        }
        if (this.nulAt < e && this.nulAt >= s) {
          f |= FIELD_NUL
          this.rowNul = true
        }
        if (n === this.starts.length) this.grow()
        this.starts[n] = s
        this.ends[n] = e
        this.flags[n] = f
        n++
        if (pos >= len) {
          if (!eof) return rowStart
          if (this.softEnd) {
            this.cut = true
            return rowStart
          }
          this.emit(buf, n, line, len)
          return len
        }
        const c = buf[pos]
        if (c === sep) {
          pos++
          continue
        }
        if (c === CR) {
          if (pos + 1 >= len && !eof) return rowStart
          pos += buf[pos + 1] === LF ? 2 : 1
        } else pos++
        const rowLine = this.line
        this.line = line + 1
        this.emitAt(buf, n, rowLine, pos, len)
        break
      }
    }
    return pos
  }

  private emit(buf: Buffer, n: number, line: number, len: number): void {
    const rowLine = this.line
    this.line = line + 1
    this.emitAt(buf, n, rowLine, len, len)
  }

  private emitAt(buf: Buffer, n: number, rowLine: number, end: number, len: number): void {
    this.rowEnd = end
    this.onRow(this, buf, n, rowLine)
    this.rowNul = false
    if (this.nulAt < end) {
      const next = buf.indexOf(0, end)
      this.nulAt = next === -1 || next >= len ? Infinity : next
    }
  }

  error(code: 'CSV_INVALID' | 'CSV_ENCODING', what: string, line: number, column: number, hint?: string): DatapubError {
    return new DatapubError(code, `${this.file}: line ${line}, column ${column}: ${what}`, {
      path: this.file,
      details: { file: this.file, line, column },
      ...(hint === undefined ? {} : { hint }),
    })
  }

  private grow(): void {
    const size = this.starts.length * 2
    const starts = new Int32Array(size)
    const ends = new Int32Array(size)
    const flags = new Uint8Array(size)
    starts.set(this.starts)
    ends.set(this.ends)
    flags.set(this.flags)
    this.starts = starts
    this.ends = ends
    this.flags = flags
  }
}
