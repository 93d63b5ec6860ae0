import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvsToSqlite, isDatapubError } from '@datapub/core'
import { fuzzParams, NIGHTLY_FUZZ } from '../../helpers/fuzz/fuzz-params.js'
import { startPythonCsvOracle, type OracleAnswer, type PythonCsvOracle } from '../../helpers/fuzz/python-csv-oracle.js'

/**
 * The CSV importer against two oracles: the table a file was generated from, and Python's csv
 * module reading the same bytes. Tested through csvsToSqlite, the public entry point, so the
 * parser behind it can change freely.
 */

type Encoding = 'auto' | 'utf8' | 'latin1'
interface Dialect {
  separator: string
  quoting: 0 | 3
  encoding: Encoding
}

let oracle: PythonCsvOracle
let dir: string
let n = 0
const stats = { cases: 0, imported: 0, refused: 0, codes: {} as Record<string, number> }

beforeAll(() => {
  oracle = startPythonCsvOracle()
  dir = mkdtempSync(path.join(os.tmpdir(), 'datapub-fuzz-csv-'))
})
afterAll(() => {
  oracle.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(`fuzz csv: ${JSON.stringify(stats)}`)
})

type Imported = { ok: true; columns: string[]; rows: Array<Array<string | null>> } | { ok: false; code: string; message: string }

async function importBytes(bytes: Buffer, dialect: Dialect): Promise<Imported> {
  const file = path.join(dir, `c${n}`, 'data.csv')
  const db = path.join(dir, `c${n}.db`)
  n++
  rmSync(path.dirname(file), { recursive: true, force: true })
  mkdirSync(path.dirname(file))
  writeFileSync(file, bytes)
  stats.cases++
  try {
    const report = await csvsToSqlite([file], db, { separator: dialect.separator, quoting: dialect.quoting, encoding: dialect.encoding, justStrings: true })
    if (report.tables.length === 0) return { ok: true, columns: [], rows: [] }
    const conn = new Database(db, { readonly: true })
    try {
      const columns = (conn.prepare(`PRAGMA table_info("data")`).all() as Array<{ name: string }>).map((c) => c.name)
      const rows = conn.prepare(`SELECT * FROM "data" ORDER BY rowid`).raw().all() as Array<Array<string | null>>
      stats.imported++
      return { ok: true, columns, rows }
    } finally {
      conn.close()
    }
  } catch (error) {
    if (!isDatapubError(error)) throw error
    stats.refused++
    stats.codes[error.code] = (stats.codes[error.code] ?? 0) + 1
    return { ok: false, code: error.code, message: error.message }
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true })
    rmSync(db, { force: true })
  }
}

/** The documented header rule (see unique-headers): blank -> untitled_N, case-insensitive repeats get _2, _3 ... */
function expectedHeaders(raw: string[]): string[] {
  const taken = new Set<string>()
  return raw.map((h, i) => {
    const base = h.trim() === '' ? `untitled_${i + 1}` : h
    let name = base
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}_${k}`
    taken.add(name.toLowerCase())
    return name
  })
}

/** What the import must give for the oracle's rows: header names, padded rows, '' as NULL; or a coded refusal. */
function expectation(answer: OracleAnswer, bytes: Buffer): { ok: true; columns: string[]; rows: Array<Array<string | null>> } | { ok: false; codes: string[] } {
  if ('error' in answer && answer.error === 'encoding') {
    // A file both badly encoded and badly structured may be refused for either, whichever is met first.
    const structure = expectation(answer.latin1, bytes)
    return { ok: false, codes: ['CSV_ENCODING', ...(structure.ok ? [] : structure.codes)] }
  }
  // NUL bytes are refused by policy (pandas does too); Python 3.11 reads them.
  if (bytes.includes(0)) return { ok: false, codes: ['CSV_INVALID'] }
  if ('error' in answer) return { ok: false, codes: ['CSV_INVALID'] }
  if (answer.rows.length === 0) return { ok: true, columns: [], rows: [] }
  const [header, ...body] = answer.rows as [string[], ...string[][]]
  if (body.some((r) => r.length > header.length)) return { ok: false, codes: ['CSV_INVALID'] }
  const rows = body.map((r) => header.map((_, i) => (r[i] === undefined || r[i] === '' ? null : r[i]!)))
  return { ok: true, columns: expectedHeaders(header), rows }
}

function stripBom(bytes: Buffer): Buffer {
  // A BOM is dropped whatever the encoding: csvs-to-sqlite's policy, which the oracle adopts.
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
}

async function checkAgainstOracle(bytes: Buffer, dialect: Dialect): Promise<void> {
  const got = await importBytes(bytes, dialect)
  const want = expectation(await oracle.parse(stripBom(bytes), dialect), bytes)
  if (want.ok) {
    expect(got, `bytes ${JSON.stringify(bytes.toString('latin1'))}`).toEqual({ ok: true, columns: want.columns, rows: want.rows })
  } else {
    expect(got.ok, `bytes ${JSON.stringify(bytes.toString('latin1'))} should be refused with ${want.codes.join('|')}`).toBe(false)
    if (!got.ok) expect(want.codes).toContain(got.code)
  }
}

// ---- generated tables: the model is the table itself ----

const SEPARATORS = [',', '\t', ';', '|', ':', ' ', '#']
const LATIN1_EXTRA = ['é', 'ß', 'ÿ', '\u00a0', '©']
const UTF8_EXTRA = [...LATIN1_EXTRA, '日本', '😀', '\u2028', 'Ã©']

function cellArb(encoding: Encoding, quoting: 0 | 3, separator: string): fc.Arbitrary<string> {
  const pieces = ['a', 'b', '1', '0.5', ' ', '-', '"', '""', "'", '\\', '=', ',', '\t', ';', '|', ':', '#', ...(encoding === 'latin1' ? LATIN1_EXTRA : UTF8_EXTRA)]
  if (quoting === 0) pieces.push(separator, '\n', '\r', '\r\n', '\n\n')
  // Without quoting a field cannot hold its separator or a line break: the format has no way to say it.
  else pieces.splice(0, pieces.length, ...pieces.filter((p) => !p.includes(separator)))
  return fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((p) => p.join(''))
}

interface CsvCase {
  dialect: Dialect
  header: string[]
  rows: string[][]
  lineEnd: string
  trailingNewline: boolean
  bom: boolean
  quoteAll: boolean
  quoteSome: boolean[]
}

const csvCaseArb: fc.Arbitrary<CsvCase> = fc
  .record({
    separator: fc.constantFrom(...SEPARATORS),
    quoting: fc.constantFrom<0 | 3>(0, 0, 0, 3),
    encoding: fc.constantFrom<Encoding>('auto', 'auto', 'utf8', 'latin1'),
    width: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ separator, quoting, encoding, width }) =>
    fc.record({
      dialect: fc.constant<Dialect>({ separator, quoting, encoding }),
      header: fc.uniqueArray(cellArb(encoding, quoting, separator).filter((h) => h.trim() !== ''), {
        minLength: width,
        maxLength: width,
        selector: (h) => h.toLowerCase(),
      }),
      rows: fc.array(
        fc.integer({ min: 1, max: width }).chain((w) => fc.array(cellArb(encoding, quoting, separator), { minLength: w, maxLength: w })),
        { maxLength: 8 },
      ),
      lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
      trailingNewline: fc.boolean(),
      bom: encoding === 'latin1' ? fc.constant(false) : fc.boolean(),
      quoteAll: fc.boolean(),
      quoteSome: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    }),
  )

function needsQuotes(cell: string, separator: string): boolean {
  return cell.includes(separator) || cell.includes('"') || cell.includes('\n') || cell.includes('\r')
}

function serialise(c: CsvCase): Buffer {
  let k = 0
  const field = (cell: string): string => {
    if (c.dialect.quoting === 3) return cell
    const extra = c.quoteSome[k++ % c.quoteSome.length]!
    return c.quoteAll || extra || needsQuotes(cell, c.dialect.separator) ? `"${cell.replaceAll('"', '""')}"` : cell
  }
  const line = (cells: string[]): string => {
    const text = cells.map(field).join(c.dialect.separator)
    // A row of one empty field would be a blank line, which readers skip: it must be quoted.
    return text === '' ? '""' : text
  }
  const lines = [c.header, ...c.rows].map(line)
  const text = lines.join(c.lineEnd) + (c.trailingNewline ? c.lineEnd : '')
  const body = Buffer.from(text, c.dialect.encoding === 'latin1' ? 'latin1' : 'utf8')
  return c.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body
}

/** Cases the format cannot express without quoting: skip them rather than assert something false. */
function expressible(c: CsvCase): boolean {
  if (c.dialect.quoting === 0) return true
  // Unquoted, an empty single-field row is a blank line and a row starting with a line break is blank too.
  return c.rows.every((r) => r.join(c.dialect.separator) !== '')
}

describe('fuzzed CSV input (fast-check, fixed seed)', () => {
  it('imports every generated table exactly as generated, and as Python csv reads it', { timeout: NIGHTLY_FUZZ ? 3_600_000 : 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(csvCaseArb, async (c) => {
        fc.pre(expressible(c))
        const bytes = serialise(c)
        const got = await importBytes(bytes, c.dialect)
        const width = c.header.length
        // With quoting off a quote is literal, so cells keep their quotes; with quoting on they round-trip.
        const rows = c.rows.map((r) => Array.from({ length: width }, (_, i) => (r[i] === undefined || r[i] === '' ? null : r[i]!)))
        expect(got, `csv ${JSON.stringify(bytes.toString('latin1'))}`).toEqual({ ok: true, columns: c.header, rows })
        const want = expectation(await oracle.parse(stripBom(bytes), c.dialect), bytes)
        expect(want, 'python csv reads the generated file the same way').toEqual({ ok: true, columns: c.header, rows })
      }),
      fuzzParams(1200),
    )
  })

  it('reads arbitrary byte soup as Python csv does, or refuses it with a coded error', { timeout: NIGHTLY_FUZZ ? 3_600_000 : 60_000 }, async () => {
    const byte = fc.constantFrom(
      ...[',', ';', '"', '"', '\n', '\r', 'a', 'b', ' ', '\t', 'é'].map((s) => Buffer.from(s, 'utf8')),
      Buffer.from([0xe9]),
      Buffer.from([0xc3]),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0]),
    )
    const soup = fc.array(byte, { maxLength: 40 }).map((parts) => Buffer.concat(parts))
    const dialect = fc.record({ separator: fc.constantFrom(',', ';', '\t'), quoting: fc.constantFrom<0 | 3>(0, 0, 3), encoding: fc.constantFrom<Encoding>('auto', 'utf8', 'latin1') })
    await fc.assert(
      fc.asyncProperty(soup, dialect, async (bytes, d) => checkAgainstOracle(bytes, d)),
      fuzzParams(1500),
    )
  })
})
