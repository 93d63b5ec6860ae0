import { open } from 'node:fs/promises'
import path from 'node:path'
import { DatapubError } from '../errors/datapub-error.js'

export interface CsvDialect {
  separator: number
  /** The quote byte, or -1 when quoting is 3 (none). */
  quote: number
}

const CANDIDATES = [',', '\t', ';', '|', ':']
const SNIFF_BYTES = 64 * 1024

/**
 * The separator for one file: the explicit option, else sniffed from the first 64 KiB when
 * asked, else tab for `.tsv` and comma otherwise.
 */
export async function resolveDialect(file: string, options: { separator?: string | undefined; quoting?: number | undefined; sniff?: boolean | undefined }): Promise<CsvDialect> {
  const quote = options.quoting === 3 ? -1 : 0x22
  if (options.separator !== undefined) return { separator: separatorByte(options.separator), quote }
  if (options.sniff) {
    const sniffed = sniffSeparator(await readHead(file))
    if (sniffed !== undefined) return { separator: sniffed.charCodeAt(0), quote }
  }
  return { separator: path.extname(file).toLowerCase() === '.tsv' ? 9 : 0x2c, quote }
}

function separatorByte(separator: string): number {
  const value = separator === '\\t' || separator.toLowerCase() === 'tab' ? '\t' : separator
  const code = value.charCodeAt(0)
  if (value.length !== 1 || code > 0x7f || code === 0x22 || code === 10 || code === 13) {
    throw new DatapubError('CONFIG_INVALID', `separator must be one ASCII character other than a quote or newline, got ${JSON.stringify(separator)}`, {
      path: 'separator',
      hint: 'Use e.g. -s ";" or -s $\'\\t\' for TSV.',
    })
  }
  return code
}

/**
 * Picks the candidate that splits the sampled lines into the same number (> 1) of fields most
 * consistently, counting only outside quotes; ties go to the earlier candidate.
 */
export function sniffSeparator(sample: string): string | undefined {
  const lines = splitSampleLines(sample).slice(0, 50)
  if (lines.length === 0) return undefined
  let best: { sep: string; score: number } | undefined
  for (const sep of CANDIDATES) {
    const counts = lines.map((line) => countOutsideQuotes(line, sep))
    const first = counts[0]!
    if (first === 0) continue
    const consistent = counts.filter((c) => c === first).length / counts.length
    const score = consistent * 1000 + first
    if (best === undefined || score > best.score) best = { sep, score }
  }
  return best?.sep
}

function splitSampleLines(sample: string): string[] {
  const lines = sample.split(/\r\n|\n|\r/).filter((l) => l !== '')
  // The last line of a truncated sample is probably cut.
  if (sample.length >= SNIFF_BYTES && lines.length > 1) lines.pop()
  return lines
}

function countOutsideQuotes(line: string, sep: string): number {
  let inQuotes = false
  let count = 0
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes
    else if (ch === sep && !inQuotes) count++
  }
  return count
}

async function readHead(file: string): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buf = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0)
    return buf.toString('latin1', 0, bytesRead)
  } finally {
    await handle.close()
  }
}
