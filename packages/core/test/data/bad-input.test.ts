import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

describe('csvsToSqlite on bad input', () => {
  const failures: Array<[string, string | Buffer, string, { line: number; column: number }]> = [
    ['too many fields', 'a,b\n1,2\n3,4,5\n', 'CSV_INVALID', { line: 3, column: 3 }],
    ['a NUL byte', 'a,b\n1,2\n3,x\0y\n', 'CSV_INVALID', { line: 3, column: 2 }],
    ['an unterminated quote', 'a,b\n1,2\n3,"open\nstill open\n', 'CSV_INVALID', { line: 3, column: 2 }],
    ['text after a closing quote', 'a,b\n1,"x"y\n', 'CSV_INVALID', { line: 2, column: 2 }],
    ['UTF-16', Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'), 'CSV_ENCODING', { line: 1, column: 1 }],
    ['10,000 columns', `${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')}\n`, 'CSV_INVALID', { line: 1, column: 2001 }],
  ]
  it.each(failures)('fails on %s with a coded error naming file, line and column, writing nothing', async (_name, content, code, where) => {
    const t = tmpDir()
    const csv = t.file('bad.csv', content)
    const before = readFileSync(csv)
    const error = await csvsToSqlite([csv], t.path('out.db')).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'DatapubError', code, details: { file: csv, ...where } })
    expect((error as Error).message).toContain(`line ${where.line}, column ${where.column}`)
    expect(readdirSync(t.dir)).toEqual(['bad.csv'])
    expect(readFileSync(csv)).toEqual(before)
  })

  it('reports invalid UTF-8 with its position when encoding utf-8 is forced', async () => {
    const t = tmpDir()
    const csv = t.file('bad.csv', Buffer.concat([Buffer.from('a\nok\nab'), Buffer.from([0xff]), Buffer.from('\n')]))
    await expect(csvsToSqlite([csv], t.path('out.db'), { encoding: 'utf-8' })).rejects.toMatchObject({ code: 'CSV_ENCODING', details: { file: csv, line: 3, column: 3 } })
  })

  it('skips rows with too many fields or NUL bytes with skipErrors, and warns', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.file('s.csv', 'a,b\n1,2\n3,4,5\n6,x\0\n7,8\n')], db, { skipErrors: true })
    expect(t.query(db, 'SELECT a, b FROM s')).toEqual([{ a: 1, b: 2 }, { a: 7, b: 8 }])
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'CSV_ROWS_SKIPPED', message: expect.stringContaining('2 bad row') })])
  })

  it('fills short rows with NULL', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('r.csv', 'a,b,c\n1\n2,3\n')], db)
    expect(t.query(db, 'SELECT * FROM r')).toEqual([{ a: 1, b: null, c: null }, { a: 2, b: 3, c: null }])
  })

  it('makes a header-only file an empty table of TEXT columns and skips an empty file with a warning', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.file('header.csv', 'a,b\n'), t.file('empty.csv', '')], db)
    expect(report.tables).toEqual([{ name: 'header', rows: 0, columns: [{ name: 'a', type: 'TEXT' }, { name: 'b', type: 'TEXT' }], source: [t.path('header.csv')] }])
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'CSV_EMPTY' })])
  })

  it('quotes SQL keywords, quotes and brackets in table and column names', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('order by.csv', '"from","a""b",[c],"drop table x; --"\n1,2,3,4\n')], db, { fts: ['from'], index: ['a"b'] })
    expect(t.query(db, 'SELECT * FROM "order by"')).toEqual([{ from: 1, 'a"b': 2, '[c]': 3, 'drop table x; --': 4 }])
  })

  it('keeps an existing database unchanged when appending fails', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('t.csv', 'a\n1\n')], db)
    const before = readFileSync(db)
    await expect(csvsToSqlite([t.file('t.csv', 'a\n2\n3,4\n')], db)).rejects.toMatchObject({ code: 'CSV_INVALID' })
    expect(readFileSync(db)).toEqual(before)
    expect(readdirSync(t.dir).sort()).toEqual(['out.db', 't.csv'])
  })

  it('refuses a database name ending in .csv, a missing input and an output that is not SQLite', async () => {
    const t = tmpDir()
    const csv = t.file('a.csv', 'x\n1\n')
    await expect(csvsToSqlite([csv], t.path('x.csv'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    await expect(csvsToSqlite([t.path('missing.csv')], t.path('x.db'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' })
    const notDb = t.file('notes.db', 'hello')
    await expect(csvsToSqlite([csv], notDb)).rejects.toMatchObject({ code: 'SQLITE_INVALID' })
    expect(readFileSync(notDb, 'utf8')).toBe('hello')
  })

  it('stops with ABORTED when the signal fires, leaving nothing behind', async () => {
    const t = tmpDir()
    const csv = t.file('a.csv', 'x\n1\n')
    await expect(csvsToSqlite([csv], t.path('a.db'), {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' })
    expect(readdirSync(t.dir)).toEqual(['a.csv'])
  })
})
