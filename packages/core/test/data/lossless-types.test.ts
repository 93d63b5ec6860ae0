import { describe, expect, it } from 'vitest'
import { canonicalDecimal, classifyField, LOOKS_INTEGER, LOOKS_REAL } from '../../src/data/classify-field.js'
import { csvsToSqlite } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

const kind = (text: string): string => {
  const buf = Buffer.from(text, 'latin1')
  const k = classifyField(buf, 0, buf.length)
  return k === (LOOKS_INTEGER | LOOKS_REAL) ? 'integer' : k === LOOKS_INTEGER ? 'integer-only' : k === LOOKS_REAL ? 'real' : 'text'
}

describe('classifyField is lossless', () => {
  it.each([
    ['9223372036854775807', 'integer-only'],
    ['-9223372036854775808', 'integer-only'],
    ['9223372036854775808', 'text'],
    ['-9223372036854775809', 'text'],
    ['12345678901234567890', 'text'],
    ['9007199254740993', 'integer-only'],
    ['9007199254740992', 'integer'],
    ['123456789012345', 'integer'],
    ['100000000000000000000', 'real'],
    ['-0', 'integer'],
    ['+7', 'integer'],
    ['007', 'text'],
  ])('integer literal %s is %s', (text, expected) => {
    expect(kind(text)).toBe(expected)
  })

  it.each([
    ['0.1', 'real'],
    ['1.10', 'real'],
    ['-0.0', 'real'],
    ['1e3', 'real'],
    ['.5', 'real'],
    ['5.', 'real'],
    ['1.7976931348623157e308', 'real'],
    ['5e-324', 'real'],
    ['2.2250738585072014e-308', 'real'],
    ['0.30000000000000004', 'real'],
    ['1e400', 'text'],
    ['-1e400', 'text'],
    ['1e-400', 'text'],
    ['1.7976931348623159e308', 'text'],
    ['3.14159265358979323846', 'text'],
    ['0.10000000000000000555', 'text'],
    ['1234567890.1234567890', 'text'],
    ['1e99999999999', 'text'],
    ['0e99999999999', 'real'],
    ['nan', 'text'],
    ['inf', 'text'],
    ['1e', 'text'],
    ['.', 'text'],
    [' 1', 'text'],
  ])('number literal %s is %s', (text, expected) => {
    expect(kind(text)).toBe(expected)
  })

  it('compares decimals by value, not spelling', () => {
    expect(canonicalDecimal('1.10')).toBe(canonicalDecimal('1.1'))
    expect(canonicalDecimal('0.011e2')).toBe(canonicalDecimal('1.1'))
    expect(canonicalDecimal('1.1e-7')).toBe(canonicalDecimal(String(1.1e-7)))
    expect(canonicalDecimal('-0.000')).toBe('0')
    expect(canonicalDecimal('12345678901234567890')).not.toBe(canonicalDecimal(String(12345678901234567890)))
  })
})

describe('csvsToSqlite keeps every value', () => {
  it('types a column INTEGER or REAL only when every value converts without loss, and stores the rest as the exact text', async () => {
    const t = tmpDir()
    const csv = t.file(
      'n.csv',
      [
        'max,over,under,huge,overflow,pi,plain,zero,mixed',
        '9223372036854775807,9223372036854775808,-9223372036854775809,12345678901234567890,1e400,3.14159265358979323846,0.1,-0,1',
        '-9223372036854775808,1,2,3,1.5,2.5,1.10,-0.0,9007199254740993',
        ',,,,,,,,2.5',
      ].join('\n') + '\n',
    )
    const db = t.path('n.db')
    await csvsToSqlite([csv], db)
    const types = Object.fromEntries(t.query<{ name: string; type: string }>(db, 'PRAGMA table_info(n)').map((c) => [c.name, c.type]))
    expect(types).toEqual({ max: 'INTEGER', over: 'TEXT', under: 'TEXT', huge: 'TEXT', overflow: 'TEXT', pi: 'TEXT', plain: 'REAL', zero: 'REAL', mixed: 'TEXT' })
    const rows = t.query(
      db,
      `SELECT CAST(max AS TEXT) max, typeof(max) tmax, over, typeof(over) tover, under, huge, overflow, pi, plain, typeof(plain) tplain, zero, mixed, typeof(mixed) tmixed FROM n ORDER BY rowid`,
    )
    expect(rows).toEqual([
      { max: '9223372036854775807', tmax: 'integer', over: '9223372036854775808', tover: 'text', under: '-9223372036854775809', huge: '12345678901234567890', overflow: '1e400', pi: '3.14159265358979323846', plain: 0.1, tplain: 'real', zero: 0, mixed: '1', tmixed: 'text' },
      { max: '-9223372036854775808', tmax: 'integer', over: '1', tover: 'text', under: '2', huge: '3', overflow: '1.5', pi: '2.5', plain: 1.1, tplain: 'real', zero: 0, mixed: '9007199254740993', tmixed: 'text' },
      { max: null, tmax: 'null', over: null, tover: 'null', under: null, huge: null, overflow: null, pi: null, plain: null, tplain: 'null', zero: null, mixed: '2.5', tmixed: 'text' },
    ])
  })

  it('keeps integers past 2^53 exact in an INTEGER column', async () => {
    const t = tmpDir()
    const db = t.path('big.db')
    await csvsToSqlite([t.file('big.csv', 'id\n9007199254740993\n-9223372036854775808\n')], db)
    expect(t.query(db, 'SELECT CAST(id AS TEXT) id, typeof(id) t FROM big ORDER BY rowid')).toEqual([
      { id: '9007199254740993', t: 'integer' },
      { id: '-9223372036854775808', t: 'integer' },
    ])
  })
})
