import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '../../src/data/index.js'
import type { CsvOptions } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

/** csvs-to-sqlite from PyPI, as scripts/toolchain.sh installs it (DATAPUB_CSVS_TO_SQLITE), or on PATH. */
function findPeer(): string | undefined {
  const candidates = [process.env.DATAPUB_CSVS_TO_SQLITE, '/var/tmp/datapub-csvs-to-sqlite-1.3.1/bin/csvs-to-sqlite', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'csvs-to-sqlite'))]
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c) && spawnSync(c, ['--version']).status === 0)
}
const PEER = findPeer()
if (PEER === undefined) console.warn('csvs-to-sqlite is not installed (scripts/toolchain.sh installs it): skipping the parity tests')

type Db = ReturnType<typeof tmpDir>

/** Both converters on the same files with the same flags; the peer's flags are ours, spelled its way. */
async function both(t: Db, files: string[], flags: string[], options: CsvOptions, name = 'out') {
  const theirs = t.path(`${name}-theirs.db`)
  const ours = t.path(`${name}-ours.db`)
  execFileSync(PEER!, [...files, theirs, ...flags], { stdio: 'pipe' })
  await csvsToSqlite(files, ours, options)
  return { theirs, ours }
}

const SHADOW = /_fts_(data|idx|docsize|config|content)$|_fts_segments$|_fts_segdir$|_fts_stat$/

function tables(t: Db, db: string): string[] {
  return t.query<{ name: string }>(db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).map((r) => r.name).filter((n) => !SHADOW.test(n))
}

function columns(t: Db, db: string, table: string) {
  return t.query<{ name: string; type: string }>(db, `PRAGMA table_info("${table}")`).map((c) => `${c.name} ${c.type}`)
}

function values(t: Db, db: string, table: string) {
  const names = t.query<{ name: string }>(db, `PRAGMA table_info("${table}")`).map((c) => c.name)
  return t.query(db, `SELECT ${names.map((n) => `"${n}", typeof("${n}") AS "${n}:type"`).join(', ')} FROM "${table}" ORDER BY rowid`)
}

/** Columns of each index and foreign key: their names differ (see README-data.md), what they cover must not. */
function keys(t: Db, db: string, table: string) {
  const indexes = t
    .query<{ name: string; unique: number }>(db, `PRAGMA index_list("${table}")`)
    .map((i) => `${i.unique ? 'unique ' : ''}(${t.query<{ name: string }>(db, `PRAGMA index_info("${i.name.replaceAll('"', '""')}")`).map((c) => c.name).join(',')})`)
    .sort()
  const fks = t.query<{ from: string; table: string; to: string }>(db, `PRAGMA foreign_key_list("${table}")`).map((f) => `${f.from} -> ${f.table}.${f.to}`)
  return { indexes, fks }
}

function matches(t: Db, db: string, fts: string, query: string): number[] {
  return t.query<{ rowid: number }>(db, `SELECT rowid FROM "${fts}" WHERE "${fts}" MATCH '${query}' ORDER BY rowid`).map((r) => r.rowid)
}

const PEOPLE = [
  'id,name,county,score,visits,notes,ratio,joined',
  '1,"Smith, Ann",Alameda,1.5,3,"said ""hi""",0.1,2019-01-05',
  '2,Bob Jones,Marin,2.25,,plain,1e3,03/04/2020',
  '3,"Carla\nDiaz",Alameda,,7,,-0.5,2018-12-31',
  '4,Dee,Sonoma,3,1,"multi, comma",2.5,2021-07-04',
  '5,Émile,Marin,4.75,0,ünïcode,.25,"March 5, 2021"',
  '6,Fay,,8,12,"tab\there",-1e-3,',
].join('\n')

const PLACES = 'code,label,population,area\nA1,North,1200,3.5\nB2,South,,4.25\nC3,"East ""Side""",300,\n'

/** Seeded values in the domain where both must agree (the rest is the differences test below). */
function generate(seed: number, rows: number): string {
  let a = seed >>> 0
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), a | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T,>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!
  const int = () => String(Math.floor(random() * 2_000_000) - 1_000_000)
  const real = () => pick([(random() * 1000).toFixed(3), `${Math.floor(random() * 100)}`, `${(random() * 9).toFixed(2)}e${Math.floor(random() * 10)}`, '-0.5', '.25'])
  const text = () => pick(['alpha', 'beta gamma', '"quoted, comma"', '"say ""hi"""', 'x1', '12abc', 'Café', '"two\nlines"'])
  const lines = ['ints,reals,texts,sparse_int,sparse_real,big_int,category']
  for (let i = 0; i < rows; i++) {
    const big = String(BigInt(Math.floor(random() * 2 ** 53)) * 1000n + BigInt(i))
    lines.push([int(), i === 0 ? '0.5' : real(), text(), random() < 0.7 ? '' : int(), random() < 0.5 ? '' : `${(random() * 100).toFixed(2)}`, big, pick(['red', 'green', 'blue', 'Grün'])].join(','))
  }
  return `${lines.join('\n')}\n`
}

describe.skipIf(PEER === undefined)('parity with csvs-to-sqlite 1.3.1 (PyPI) on the same corpus', () => {
  it.each([1, 2])('agrees on tables, column types and values of generated data (seed %i)', async (seed) => {
    const t = tmpDir()
    const csv = t.file('gen.csv', generate(seed, 400))
    const { theirs, ours } = await both(t, [csv], [], {})
    expect(tables(t, ours)).toEqual(tables(t, theirs))
    expect(columns(t, ours, 'gen')).toEqual(columns(t, theirs, 'gen'))
    expect(columns(t, ours, 'gen').map((c) => c.split(' ')[1])).toEqual(['INTEGER', 'REAL', 'TEXT', 'INTEGER', 'REAL', 'INTEGER', 'TEXT'])
    expect(values(t, ours, 'gen')).toEqual(values(t, theirs, 'gen'))
  })

  it('agrees on several files, extract-column lookup tables, their keys and FTS', async () => {
    const t = tmpDir()
    const files = [t.file('people.csv', PEOPLE), t.file('places.csv', PLACES), t.file('gen.csv', generate(3, 200))]
    const { theirs, ours } = await both(t, files, ['-c', 'county', '-c', 'category:Colours:name'], { extractColumn: ['county', 'category:Colours:name'] })
    expect(tables(t, ours)).toEqual(tables(t, theirs))
    expect(tables(t, ours)).toEqual(['Colours', 'Colours_name_fts', 'county', 'county_value_fts', 'gen', 'people', 'places'])
    for (const table of ['people', 'places', 'gen', 'county', 'Colours']) {
      expect(columns(t, ours, table), table).toEqual(columns(t, theirs, table))
      expect(values(t, ours, table), table).toEqual(values(t, theirs, table))
    }
    // Ours adds a unique index on the lookup value (appends reuse ids); the rest cover the same columns.
    expect(keys(t, ours, 'people')).toEqual(keys(t, theirs, 'people'))
    expect(keys(t, ours, 'gen')).toEqual(keys(t, theirs, 'gen'))
    expect(keys(t, ours, 'county')).toEqual({ indexes: ['unique (value)'], fks: [] })
    expect(keys(t, theirs, 'county')).toEqual({ indexes: [], fks: [] })
    for (const [fts, query] of [['county_value_fts', 'marin'], ['Colours_name_fts', 'grün OR red']] as const) {
      expect(matches(t, ours, fts, query), fts).toEqual(matches(t, theirs, fts, query))
      expect(matches(t, ours, fts, query).length, fts).toBeGreaterThan(0)
    }
  })

  it('agrees on FTS tables, dates and datetimes', async () => {
    const t = tmpDir()
    const people = t.file('people.csv', PEOPLE)
    const dates = t.file('dates.csv', 'id,day,when\n1,2019-01-05,2019-01-05 10:30:00\n2,03/04/2020,"March 5, 2021 14:00"\n3,,2020-02-29T23:59:59\n')
    const a = await both(t, [people], ['-f', 'name', '-f', 'notes', '-d', 'joined'], { fts: ['name', 'notes'], date: ['joined'] }, 'fts')
    expect(tables(t, a.ours)).toEqual(tables(t, a.theirs))
    expect(columns(t, a.ours, 'people_fts')).toEqual(columns(t, a.theirs, 'people_fts'))
    expect(values(t, a.ours, 'people')).toEqual(values(t, a.theirs, 'people'))
    for (const query of ['comma', 'hi OR smith', 'ünïcode', 'diaz']) expect(matches(t, a.ours, 'people_fts', query), query).toEqual(matches(t, a.theirs, 'people_fts', query))
    const b = await both(t, [dates], ['-d', 'day', '-dt', 'when'], { date: ['day'], datetime: ['when'] }, 'dates')
    expect(values(t, b.ours, 'dates')).toEqual(values(t, b.theirs, 'dates'))
  })

  it('differs only where README-data.md says, and there datapub keeps the value', async () => {
    const t = tmpDir()
    const csv = t.file('diff.csv', 'zip,overflow,pi,missing,whole,ok\n01234,1e400,3.14159265358979323846,n/a,1.0,1\n00501,1,2.5,NA,2.0,2\n')
    const { theirs, ours } = await both(t, [csv], [], {})
    const row = (db: string) => t.query(db, 'SELECT zip, typeof(zip) tz, overflow, typeof(overflow) tov, pi, typeof(pi) tpi, missing, whole, typeof(whole) tw, ok FROM diff ORDER BY rowid')[0]
    expect(row(theirs)).toEqual({ zip: 1234, tz: 'integer', overflow: Infinity, tov: 'real', pi: 3.141592653589793, tpi: 'real', missing: null, whole: 1, tw: 'integer', ok: 1 })
    expect(row(ours)).toEqual({ zip: '01234', tz: 'text', overflow: '1e400', tov: 'text', pi: '3.14159265358979323846', tpi: 'text', missing: 'n/a', whole: 1, tw: 'real', ok: 1 })

    // Integers past 64 bits: csvs-to-sqlite stops with a Python OverflowError; datapub keeps them as text.
    const big = t.file('big.csv', 'n\n12345678901234567890\n1\n')
    const failed = spawnSync(PEER!, [big, t.path('big-theirs.db')], { encoding: 'utf8' })
    expect(failed.status).not.toBe(0)
    expect(failed.stderr).toContain('OverflowError')
    await csvsToSqlite([big], t.path('big-ours.db'))
    expect(t.query(t.path('big-ours.db'), 'SELECT n, typeof(n) t FROM big ORDER BY rowid')).toEqual([{ n: '12345678901234567890', t: 'text' }, { n: '1', t: 'text' }])

    // --fts / --date naming a column that only some files have: csvs-to-sqlite refuses; datapub applies it where present.
    const places = t.file('places.csv', PLACES)
    const people = t.file('people.csv', PEOPLE)
    expect(spawnSync(PEER!, [people, places, t.path('f-theirs.db'), '-f', 'name'], { encoding: 'utf8' }).status).not.toBe(0)
    const report = await csvsToSqlite([people, places], t.path('f-ours.db'), { fts: ['name'] })
    expect(report.tables.map((x) => x.name)).toEqual(['people', 'places'])
    expect(tables(t, t.path('f-ours.db'))).toContain('people_fts')
  })
})
