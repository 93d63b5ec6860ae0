import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

const SQLITE_UTILS = '/usr/bin/sqlite-utils'

/** Seeded values in the domain where sqlite-utils and datapub must agree (see README-data.md for the rest). */
function generate(seed: number, rows: number): string {
  let a = seed >>> 0
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!
  const int = () => String(Math.floor(random() * 2_000_000) - 1_000_000)
  const real = () => pick([(random() * 1000).toFixed(3), `${Math.floor(random() * 100)}`, `${(random() * 9).toFixed(2)}e${Math.floor(random() * 10)}`, '-0.5', '.25'])
  const text = () => pick(['alpha', 'beta gamma', '"quoted, comma"', '"say ""hi"""', 'x1', '12abc', 'Café'])
  const lines = ['ints,reals,texts,mostly_int,sparse_int,big_int,signed']
  for (let i = 0; i < rows; i++) {
    const mostly = i === rows - 1 ? 'n/a' : int()
    const sparse = random() < 0.7 ? '' : int()
    const big = String(BigInt(Math.floor(random() * 2 ** 53)) * 1000n + BigInt(i))
    lines.push([int(), real(), text(), mostly, sparse, big, pick(['+5', '-7', '0', '-0'])].join(','))
  }
  return `${lines.join('\n')}\n`
}

describe.skipIf(!existsSync(SQLITE_UTILS))('type detection parity with sqlite-utils insert --csv --detect-types', () => {
  it.each([1, 2, 3])('agrees on column types and values (seed %i)', async (seed) => {
    const t = tmpDir()
    const csv = t.file('parity.csv', generate(seed, 300))
    const theirs = t.path('theirs.db')
    const ours = t.path('ours.db')
    execFileSync(SQLITE_UTILS, ['insert', theirs, 'parity', csv, '--csv', '--detect-types'])
    await csvsToSqlite([csv], ours)
    // sqlite-utils 3.x names the float type FLOAT; datapub uses REAL (as sqlite-utils 4 does). Same affinity.
    const types = (db: string) => t.query<{ name: string; type: string }>(db, 'PRAGMA table_info(parity)').map((c) => [c.name, c.type.replace(/^FLOAT$/, 'REAL')])
    expect(types(ours)).toEqual(types(theirs))
    expect(types(ours).map(([, type]) => type)).toEqual(['INTEGER', 'REAL', 'TEXT', 'TEXT', 'INTEGER', 'INTEGER', 'INTEGER'])
    // sqlite-utils stores empty cells as ''; datapub stores NULL (deliberate).
    const select = 'SELECT ' + types(ours).map(([name]) => `NULLIF("${name}", '') AS "${name}", typeof(NULLIF("${name}", '')) AS "${name}_type"`).join(', ') + ' FROM parity ORDER BY rowid'
    expect(t.query(ours, select)).toEqual(t.query(theirs, select))
  })
})
