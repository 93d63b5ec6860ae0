import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assertSqliteDatabase, csvsToSqlite, inspectDatabase, writeInspectFile } from '../../src/data/index.js'
import { tmpDir } from './tmp-dir.js'

describe('inspectDatabase', () => {
  it('computes the sha256 of the file bytes, its size and every table count, and writes inspect-data.json', async () => {
    const t = tmpDir()
    const db = t.path('data.db')
    await csvsToSqlite([t.file('a.csv', 'x\n1\n2\n3\n'), t.file('b.csv', 'y\nq\n')], db)
    const entry = await inspectDatabase(db)
    expect(entry).toEqual({
      hash: createHash('sha256').update(readFileSync(db)).digest('hex'),
      size: statSync(db).size,
      file: 'data.db',
      tables: { a: { count: 3 }, b: { count: 1 } },
    })
    const out = t.path('inspect-data.json')
    await writeInspectFile({ data: entry }, out)
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ data: entry })
  })

  it('rejects files that are not SQLite databases', async () => {
    const t = tmpDir()
    await expect(assertSqliteDatabase(t.file('x.db', 'SQLite format 2 nope'))).rejects.toMatchObject({ code: 'SQLITE_INVALID' })
    const truncated = Buffer.alloc(200)
    Buffer.from('SQLite format 3\0', 'latin1').copy(truncated)
    await expect(assertSqliteDatabase(t.file('y.db', truncated))).rejects.toMatchObject({ code: 'SQLITE_INVALID' })
    await expect(assertSqliteDatabase(t.path('missing.db'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' })
  })
})
