import { open } from 'node:fs/promises'
import { isUtf8 } from 'node:buffer'
import { DatapubError } from '../errors/datapub-error.js'
import type { CsvParser } from './csv-parser.js'

export interface ReadCsvOptions {
  signal?: AbortSignal | undefined
  /** Check UTF-8 validity of every byte; the result says whether the file is UTF-8. */
  validateUtf8?: boolean
  onBytes?(bytes: number): void
  /** Awaited after each chunk is parsed: lets a consumer on another thread apply backpressure. */
  afterChunk?(): Promise<void> | undefined
  chunkSize?: number
  /** Byte range to parse: `start` must be a row boundary (no header, no BOM check there), `end` one too. */
  start?: number
  end?: number
}

export interface ReadCsvResult {
  utf8: boolean
  /** Offset and line of the first byte that is not UTF-8, when `utf8` is false. */
  invalidAt?: { line: number; column: number }
  bytes: number
  /** File offset just past the last byte parsed (less than the end when a soft end cut a row). */
  stoppedAt: number
}

const MAX_ROW_BYTES = 512 * 1024 * 1024

/**
 * Streams a file through the parser with one reusable buffer, so memory is bounded by the chunk
 * size (or by the longest row, which grows the buffer). The unconsumed tail of each chunk (a row
 * cut in two) moves to the front before the next read.
 */
export async function readCsvFile(file: string, parser: CsvParser, options: ReadCsvOptions = {}): Promise<ReadCsvResult> {
  const chunkSize = options.chunkSize ?? 1 << 20
  let buf = Buffer.allocUnsafe(chunkSize)
  const handle = await open(file, 'r')
  let utf8 = true
  let invalidAt: ReadCsvResult['invalidAt']
  let carry = 0
  let total = 0
  const start = options.start ?? 0
  const end = options.end ?? Infinity
  let position = start
  let stoppedAt = start
  let first = start === 0
  parser.base = start
  try {
    for (;;) {
      if (options.signal?.aborted) throw new DatapubError('ABORTED', 'The conversion was cancelled.')
      if (carry === buf.length) {
        if (buf.length >= MAX_ROW_BYTES) {
          throw parser.error('CSV_INVALID', `a row is longer than ${MAX_ROW_BYTES} bytes`, parser.line, 1, 'Check the quoting: an unbalanced quote swallows the rest of the file.')
        }
        const bigger = Buffer.allocUnsafe(buf.length * 2)
        buf.copy(bigger, 0, 0, carry)
        buf = bigger
      }
      const want = Math.min(buf.length - carry, end - position)
      const { bytesRead } = want === 0 ? { bytesRead: 0 } : await handle.read(buf, carry, want, position)
      position += bytesRead
      total += bytesRead
      const len = carry + bytesRead
      const eof = bytesRead === 0
      let from = 0
      if (first) {
        if (len < 3 && !eof) {
          carry = len
          continue
        }
        first = false
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3
        else if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
          throw new DatapubError('CSV_ENCODING', `${file}: line 1, column 1: the file is UTF-16, which is not supported`, {
            path: file,
            details: { file, line: 1, column: 1 },
            hint: 'Save it as UTF-8 (or Latin-1) CSV.',
          })
        }
      }
      const lineBefore = parser.line
      const consumed = parser.parse(buf, from, len, eof)
      // Only complete rows are validated: a row boundary never splits a multi-byte character.
      if (options.validateUtf8 && utf8 && consumed > from && !isUtf8(buf.subarray(from, consumed))) {
        utf8 = false
        invalidAt = locateInvalidUtf8(buf, from, consumed, lineBefore)
      }
      options.onBytes?.(bytesRead)
      stoppedAt = parser.base + consumed
      const wait = options.afterChunk?.()
      if (wait !== undefined) await wait
      if (eof) break
      buf.copy(buf, 0, consumed, len)
      parser.base += consumed
      carry = len - consumed
    }
  } finally {
    await handle.close()
  }
  return invalidAt === undefined ? { utf8, bytes: total, stoppedAt } : { utf8, invalidAt, bytes: total, stoppedAt }
}

function locateInvalidUtf8(buf: Buffer, from: number, to: number, line: number): { line: number; column: number } {
  let lineStart = from
  let i = from
  while (i < to) {
    const b = buf[i]!
    let need = 0
    if (b < 0x80) {
      if (b === 10) {
        line++
        lineStart = i + 1
      }
      i++
      continue
    } else if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) need = 2
    else if (b >= 0xf0 && b <= 0xf4) need = 3
    else break
    let ok = i + need < to
    for (let k = 1; ok && k <= need; k++) if ((buf[i + k]! & 0xc0) !== 0x80) ok = false
    if (!ok) break
    i += need + 1
  }
  const column = buf.toString('utf8', lineStart, i).length + 1
  return { line, column }
}
