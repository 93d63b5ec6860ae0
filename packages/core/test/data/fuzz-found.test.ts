import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

/** Inputs the CSV fuzzer (test/unit/reliability/fuzz-csv.test.ts) found, pinned as examples. */
describe('csvsToSqlite on inputs the fuzzer found', () => {
  it.each([
    ['an empty quoted field at the end of a file without a final newline', 'a,b\n"",""'],
    ['a quoted field at the end of a file without a final newline', 'h\n"x"'],
    ['a quoted empty single field last', 'a,b,c\n""'],
  ])('reads %s', async (_name, content) => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('d.csv', content)], db, { justStrings: true })
    const rows = t.query(db, 'SELECT * FROM d')
    expect(rows).toHaveLength(1)
    expect(Object.values(rows[0]!).every((v) => v === null || v === 'x')).toBe(true)
    if (content.endsWith('"x"')) expect(rows).toEqual([{ h: 'x' }])
  })

  it('keeps doubled quotes in an unquoted header, as every CSV reader does', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.file('d.csv', 'a""b,"c""d"\n1,2\n')], db)
    expect(report.tables[0]!.columns.map((c) => c.name)).toEqual(['a""b', 'c"d'])
  })

  it('keeps doubled quotes in headers when quoting is off (quotes are literal)', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.file('d.csv', '"",a\n1,2\n')], db, { quoting: 3 })
    expect(report.tables[0]!.columns.map((c) => c.name)).toEqual(['""', 'a'])
  })
})
