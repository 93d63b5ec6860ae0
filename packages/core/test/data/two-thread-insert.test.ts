import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tmpDir } from './tmp-dir.js'

// The second thread's worker exists only in the build, so this runs the built CLI as a user does.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const cli = path.join(root, 'packages/cli/bin/datapub.mjs')
const built = existsSync(path.join(root, 'packages/core/dist/csv-bind-worker.js'))

function convert(args: string[], threads: '1' | '2', cwd: string) {
  const out = execFileSync(process.execPath, [cli, 'csvs-to-sqlite', ...args, '--json'], { cwd, env: { ...process.env, DATAPUB_CSV_THREADS: threads }, encoding: 'utf8' })
  const lines = out.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]!) as { tables: Array<{ name: string; rows: number; threads?: number }> }
}

/** Rows with awkward bytes: quoted newlines and separators, doubled quotes, CRLF, blank lines, UTF-8, empty cells. */
function awkwardCsv(rows: number): string {
  let text = 'id,name,score,zip,note\r\n'
  for (let i = 1; i <= rows; i++) {
    const note = i % 7 === 0 ? `"line one\nline ""two"", ${i}"` : i % 5 === 0 ? '' : `plain ${i} é`
    text += `${i},"Name, ${i % 13}",${i % 3 === 0 ? '' : (i / 8).toString()},${String(i % 100000).padStart(5, '0')},${note}${i % 11 === 0 ? '\r\n\r\n' : '\r\n'}`
  }
  return text
}

describe.skipIf(!built)('two-thread insert (built CLI; run `pnpm build` first)', () => {
  it('splits a file at a row boundary and writes exactly what one thread writes, in the same order', () => {
    const t = tmpDir()
    t.file('data.csv', awkwardCsv(5000))
    const one = convert(['data.csv', 'one.db'], '1', t.dir)
    const two = convert(['data.csv', 'two.db'], '2', t.dir)
    expect(one.tables[0]).toMatchObject({ name: 'data', rows: 5000 })
    expect(one.tables[0]!.threads).toBeUndefined()
    expect(two.tables[0]).toMatchObject({ name: 'data', rows: 5000, threads: 2 })
    const dump = (db: string) => ({
      schema: t.query(db, "SELECT name, sql FROM sqlite_master ORDER BY name"),
      rows: t.query(db, 'SELECT rowid, id, typeof(id) ti, name, score, typeof(score) ts, zip, note FROM data ORDER BY rowid'),
    })
    const a = dump(t.path('one.db'))
    expect(a.rows).toHaveLength(5000)
    expect(a.rows[6]).toMatchObject({ id: 7, name: 'Name, 7', note: 'line one\nline "two", 7', zip: '00007' })
    expect(dump(t.path('two.db'))).toEqual(a)
    expect(readdirSync(t.dir).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('keeps one thread where the writer must convert values itself (extract-column)', () => {
    const t = tmpDir()
    t.file('data.csv', awkwardCsv(300))
    const two = convert(['data.csv', 'x.db', '-c', 'name'], '2', t.dir)
    expect(two.tables[0]).toMatchObject({ rows: 300 })
    expect(two.tables[0]!.threads).toBeUndefined()
    expect(t.query(t.path('x.db'), 'SELECT count(*) n FROM name')).toEqual([{ n: 13 }])
  })
})
