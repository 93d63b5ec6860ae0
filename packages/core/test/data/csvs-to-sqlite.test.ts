import { readdirSync, readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

const columns = (t: ReturnType<typeof tmpDir>, db: string, table: string) =>
  Object.fromEntries(t.query<{ name: string; type: string }>(db, `PRAGMA table_info("${table}")`).map((c) => [c.name, c.type]))

describe('csvsToSqlite', () => {
  it('detects INTEGER, REAL and TEXT, keeps leading-zero codes as text and stores empty cells as NULL', async () => {
    const t = tmpDir()
    const csv = t.file('people.csv', 'id,score,zip,label,blank,mixed\n1,1.5,01234,a,,1\n2,3,90210,b,,x\n-3,1e3,00501,,,2.5\n')
    const db = t.path('out.db')
    const report = await csvsToSqlite([csv], db)
    expect(columns(t, db, 'people')).toEqual({ id: 'INTEGER', score: 'REAL', zip: 'TEXT', label: 'TEXT', blank: 'TEXT', mixed: 'TEXT' })
    const rows = t.query(db, 'SELECT id, typeof(id) ti, score, typeof(score) ts, zip, label, blank, mixed FROM people ORDER BY rowid')
    expect(rows).toEqual([
      { id: 1, ti: 'integer', score: 1.5, ts: 'real', zip: '01234', label: 'a', blank: null, mixed: '1' },
      { id: 2, ti: 'integer', score: 3, ts: 'real', zip: '90210', label: 'b', blank: null, mixed: 'x' },
      { id: -3, ti: 'integer', score: 1000, ts: 'real', zip: '00501', label: null, blank: null, mixed: '2.5' },
    ])
    expect(report.tables).toEqual([expect.objectContaining({ name: 'people', rows: 3, source: [csv] })])
  })

  it('names tables after file stems, de-duplicating with -1, -2 (case-insensitively) and reading directories recursively in sorted order', async () => {
    const t = tmpDir()
    t.file('in/a/data.csv', 'x\n1\n')
    t.file('in/b/data.csv', 'x\n2\n')
    t.file('in/b/c/Data.tsv', 'x\ty\n3\t4\n')
    t.file('in/ignored.txt', 'x\n9\n')
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.path('in')], db)
    expect(report.tables.map((x) => x.name)).toEqual(['data', 'Data-1', 'data-2'])
    expect(t.query(db, 'SELECT x, y FROM "Data-1"')).toEqual([{ x: 3, y: 4 }])
  })

  it('makes duplicate, empty, keyword and quoted headers into unique, predictable columns', async () => {
    const t = tmpDir()
    const csv = t.file('h.csv', 'a,A,,select,"q""uote",a\n1,2,3,4,5,6\n')
    const db = t.path('h.db')
    await csvsToSqlite([csv], db)
    expect(Object.keys(columns(t, db, 'h'))).toEqual(['a', 'A_2', 'untitled_3', 'select', 'q"uote', 'a_3'])
    expect(t.query(db, 'SELECT * FROM h')).toEqual([{ a: 1, A_2: 2, untitled_3: 3, select: 4, 'q"uote': 5, a_3: 6 }])
  })

  it('appends to existing tables by default and replaces them with replaceTables', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('t.csv', 'a\n1\n')], db)
    await csvsToSqlite([t.file('t.csv', 'a,b\n2,x\n')], db)
    expect(t.query(db, 'SELECT a, b FROM t ORDER BY a')).toEqual([{ a: 1, b: null }, { a: 2, b: 'x' }])
    await csvsToSqlite([t.file('t.csv', 'a\n3\n')], db, { replaceTables: true })
    expect(t.query(db, 'SELECT * FROM t')).toEqual([{ a: 3 }])
  })

  it('writes every file into one table and adds filename and fixed columns', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('one.csv', 'v\n1\n'), t.file('two.csv', 'v\n2.5\n')], db, {
      table: 'all',
      filenameColumn: 'source',
      fixedColumn: [['kind', 'k']],
      fixedColumnInt: [['n', '7']],
      fixedColumnFloat: [['f', '0.5']],
    })
    expect(columns(t, db, 'all')).toEqual({ v: 'REAL', source: 'TEXT', kind: 'TEXT', n: 'INTEGER', f: 'REAL' })
    expect(t.query(db, 'SELECT * FROM "all" ORDER BY v')).toEqual([
      { v: 1, source: 'one', kind: 'k', n: 7, f: 0.5 },
      { v: 2.5, source: 'two', kind: 'k', n: 7, f: 0.5 },
    ])
  })

  it('extracts columns into lookup tables with integer foreign keys, an index and FTS on the values', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('votes.csv', 'county,party,n\nKent,Red,1\nYork,Blue,2\nKent,Blue,3\n')], db, { extractColumn: ['county', 'party:parties:name'] })
    expect(t.query(db, 'SELECT * FROM county ORDER BY id')).toEqual([{ id: 1, value: 'Kent' }, { id: 2, value: 'York' }])
    expect(t.query(db, 'SELECT * FROM parties ORDER BY id')).toEqual([{ id: 1, name: 'Red' }, { id: 2, name: 'Blue' }])
    expect(t.query(db, 'SELECT county, party, n FROM votes ORDER BY n')).toEqual([
      { county: 1, party: 1, n: 1 },
      { county: 2, party: 2, n: 2 },
      { county: 1, party: 2, n: 3 },
    ])
    expect(t.query(db, 'PRAGMA foreign_key_list(votes)').map((f) => [f.from, f.table, f.to])).toEqual(
      expect.arrayContaining([['county', 'county', 'id'], ['party', 'parties', 'id']]),
    )
    const indexes = t.query<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='votes'").map((r) => r.name)
    expect(indexes.sort()).toEqual(['votes_county', 'votes_party'])
    expect(t.query(db, "SELECT rowid FROM county_value_fts WHERE county_value_fts MATCH 'york'")).toEqual([{ rowid: 2 }])
  })

  it('skips FK indexes and lookup FTS with noIndexFks and noFulltextFks', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('v.csv', 'c\nx\n')], db, { extractColumn: ['c'], noIndexFks: true, noFulltextFks: true })
    expect(t.query(db, "SELECT name FROM sqlite_master WHERE type IN ('index','table') ORDER BY name").map((r) => r.name)).toEqual(['c', 'c_value_unique', 'v'])
  })

  it('adds FTS, single and compound indexes and a compound primary key', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('docs.csv', 'a,b,title\n1,1,hello world\n1,2,goodbye moon\n')], db, { fts: ['title'], index: ['title', 'a,b'], primaryKey: ['a', 'b'] })
    expect(t.query(db, "SELECT rowid FROM docs_fts WHERE docs_fts MATCH 'moon'")).toEqual([{ rowid: 2 }])
    const sql = t.query<{ sql: string }>(db, "SELECT sql FROM sqlite_master WHERE name='docs'")[0]!.sql
    expect(sql).toContain('PRIMARY KEY ("a", "b")')
    expect(t.query(db, "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name").map((r) => r.name)).toEqual(['docs_a_b', 'docs_title'])
  })

  it('fails on a duplicate primary key naming file and line, and leaves no database behind', async () => {
    const t = tmpDir()
    const csv = t.file('k.csv', 'id,v\n1,a\n2,b\n1,c\n')
    const db = t.path('k.db')
    await expect(csvsToSqlite([csv], db, { primaryKey: ['id'] })).rejects.toMatchObject({ code: 'CSV_INVALID', details: { file: csv, line: 4 } })
    expect(readdirSync(t.dir)).toEqual(['k.csv'])
  })

  it('keeps, renames and types columns with shape, and overrides types', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('s.csv', 'county,votes,drop,zip\nKent,10,x,123\n')], db, { shape: 'county:Cty,votes:Vts(REAL),zip', types: { zip: 'text' } })
    expect(columns(t, db, 's')).toEqual({ Cty: 'TEXT', Vts: 'REAL', zip: 'TEXT' })
    expect(t.query(db, 'SELECT Cty, Vts, typeof(Vts) tv, zip, typeof(zip) tz FROM s')).toEqual([{ Cty: 'Kent', Vts: 10, tv: 'real', zip: '123', tz: 'text' }])
  })

  it('stores everything as TEXT with justStrings', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('j.csv', 'a,b\n1,2.5\n')], db, { justStrings: true })
    expect(t.query(db, 'SELECT a, typeof(a) ta, b FROM j')).toEqual([{ a: '1', ta: 'text', b: '2.5' }])
  })

  it('parses date and datetime columns to ISO text, trying datetimeFormat first', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const report = await csvsToSqlite([t.file('d.csv', 'd,dt,e\n2020-01-05,2020-01-05 13:04:05,05/01/2020\nMarch 3 2021,3/4/2021 1:02 pm,31/12/2019\nnope,,\n')], db, {
      date: ['d', 'e'],
      datetime: ['dt'],
      datetimeFormat: ['%d/%m/%Y'],
    })
    expect(t.query(db, 'SELECT d, dt, e FROM d')).toEqual([
      { d: '2020-01-05', dt: '2020-01-05T13:04:05', e: '2020-01-05' },
      { d: '2021-03-03', dt: '2021-03-04T13:02:00', e: '2019-12-31' },
      { d: 'nope', dt: null, e: null },
    ])
    expect(report.warnings.map((w) => w.code)).toEqual(['DATE_UNPARSED'])
  })

  it('honours separator, TSV by extension, sniffing and quoting 3 (none)', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    await csvsToSqlite([t.file('semi.csv', 'a;b\n1;"x;y"\n')], db, { separator: ';' })
    await csvsToSqlite([t.file('sniffed.csv', 'a|b|c\n1|2|3\n4|5|6\n')], db, { sniff: true })
    await csvsToSqlite([t.file('tabs.tsv', 'a\tb\n1\thello, world\n')], db)
    await csvsToSqlite([t.file('raw.csv', 'a,b\n"x,y\n')], db, { quoting: 3 })
    expect(t.query(db, 'SELECT * FROM semi')).toEqual([{ a: 1, b: 'x;y' }])
    expect(t.query(db, 'SELECT * FROM sniffed')).toEqual([{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }])
    expect(t.query(db, 'SELECT * FROM tabs')).toEqual([{ a: 1, b: 'hello, world' }])
    expect(t.query(db, 'SELECT * FROM raw')).toEqual([{ a: '"x', b: 'y' }])
  })

  it('reads UTF-8 with a BOM and falls back to Latin-1 per file', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const latin = Buffer.concat([Buffer.from('name\n'), Buffer.from([0x43, 0x61, 0x66, 0xe9]), Buffer.from('\n')])
    const report = await csvsToSqlite([t.file('bom.csv', '\ufeffname\nCafé\n'), t.file('latin.csv', latin)], db)
    expect(t.query(db, 'SELECT name FROM bom')).toEqual([{ name: 'Café' }])
    expect(t.query(db, 'SELECT name FROM latin')).toEqual([{ name: 'Café' }])
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'CSV_LATIN1' })])
  })

  it('handles rows cut across read chunks, CRLF and quoted newlines', async () => {
    const t = tmpDir()
    const lines = Array.from({ length: 5000 }, (_, i) => `${i},"multi\r\nline ${'x'.repeat(i % 97)}",${i / 4}`)
    const db = t.path('out.db')
    await csvsToSqlite([t.file('big.csv', `n,text,q\r\n${lines.join('\r\n')}\r\n`)], db)
    const rows = t.query<{ n: number; text: string; q: number }>(db, 'SELECT n, text, q FROM big ORDER BY n')
    expect(rows).toHaveLength(5000)
    expect(rows[4321]).toEqual({ n: 4321, text: `multi\r\nline ${'x'.repeat(4321 % 97)}`, q: 4321 / 4 })
    expect(columns(t, db, 'big')).toEqual({ n: 'INTEGER', text: 'TEXT', q: 'REAL' })
  })

  it('passes existing SQLite databases through and never touches inputs', async () => {
    const t = tmpDir()
    const db = t.path('out.db')
    const csv = t.file('a.csv', 'x\n1\n')
    await csvsToSqlite([csv], db)
    const before = readFileSync(csv)
    const report = await csvsToSqlite([db], t.path('other.db'))
    expect(report).toMatchObject({ written: false, databases: [db], tables: [] })
    expect(readFileSync(csv)).toEqual(before)
  })

  it('reports tables and progress through hooks', async () => {
    const t = tmpDir()
    const tables: unknown[] = []
    let last = { bytes: 0, totalBytes: 0, rows: 0 }
    const csv = t.file('p.csv', 'a,b\n1,2\n3,4\n')
    await csvsToSqlite([csv], t.path('p.db'), {}, { onTable: (x) => tables.push(x), onProgress: (p) => (last = p) })
    expect(tables).toEqual([{ table: 'p', rows: 2, columns: 2 }])
    expect(last.bytes).toBe(last.totalBytes)
    expect(last.totalBytes).toBe(statSync(csv).size)
  })
})
