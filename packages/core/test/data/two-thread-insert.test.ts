import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tmpDir } from './tmp-dir.js'

// The second thread's worker exists only in the build, so this runs the built CLI as a user does.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const cli = path.join(root, 'packages/cli/bin/datapub.mjs')
const built = existsSync(path.join(root, 'packages/core/dist/csv-worker-thread.js'))

function convert(args: string[], threads: '1' | '2', cwd: string) {
  const out = execFileSync(process.execPath, [cli, 'csvs-to-sqlite', ...args, '--json'], { cwd, env: { ...process.env, DATAPUB_CSV_THREADS: threads }, encoding: 'utf8' })
  const lines = out.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]!) as { tables: Array<{ name: string; rows: number; threads?: number }>; warnings: Array<{ code: string }> }
}

/** The coded error a failing conversion prints (stderr, exit code 2). */
function failure(args: string[], threads: '1' | '2', cwd: string) {
  const r = spawnSync(process.execPath, [cli, 'csvs-to-sqlite', ...args], { cwd, env: { ...process.env, DATAPUB_CSV_THREADS: threads }, encoding: 'utf8' })
  return { status: r.status, stderr: r.stderr }
}

const dump = (t: ReturnType<typeof tmpDir>, db: string, table: string) => ({
  schema: t.query(db, 'SELECT name, sql FROM sqlite_master ORDER BY name'),
  rows: t.query(db, `SELECT * FROM "${table}" ORDER BY rowid`),
})

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

  it('scans and inserts on two threads when the middle of the file is a line start, and types come from both halves', () => {
    const t = tmpDir()
    // The only non-integer of `n` is in the second half: the worker's scan must widen the type.
    let text = 'id,n,label\n'
    for (let i = 1; i <= 4000; i++) text += `${i},${i === 3900 ? '2.5' : i},"label ${i}"\n`
    t.file('plain.csv', text)
    const two = convert(['plain.csv', 'two.db'], '2', t.dir)
    convert(['plain.csv', 'one.db'], '1', t.dir)
    expect(two.tables[0]).toMatchObject({ rows: 4000, threads: 2 })
    expect(t.query(t.path('two.db'), 'PRAGMA table_info(plain)').map((c) => (c as { type: string }).type)).toEqual(['INTEGER', 'REAL', 'TEXT'])
    expect(dump(t, t.path('two.db'), 'plain')).toEqual(dump(t, t.path('one.db'), 'plain'))
  })

  it('finds the row boundary itself when the middle of the file is inside a quoted field', () => {
    const t = tmpDir()
    const big = `"${'line\n'.repeat(4000)}"`
    t.file('q.csv', `id,text\n1,short\n2,${big}\n3,after\n4,"x"\n`)
    const two = convert(['q.csv', 'two.db'], '2', t.dir)
    convert(['q.csv', 'one.db'], '1', t.dir)
    expect(two.tables[0]!.rows).toBe(4)
    expect(dump(t, t.path('two.db'), 'q')).toEqual(dump(t, t.path('one.db'), 'q'))
  })

  it('reports an error in the second half with the same file, line and column as one thread does, leaving nothing behind', () => {
    const t = tmpDir()
    let text = 'a,b\n'
    for (let i = 1; i <= 3000; i++) text += i === 2900 ? '1,2,3\n' : `${i},x\n`
    t.file('bad.csv', text)
    const two = failure(['bad.csv', 'bad.db'], '2', t.dir)
    const one = failure(['bad.csv', 'bad.db'], '1', t.dir)
    expect(two.status).toBe(2)
    expect(two.stderr).toContain('line 2901, column 3')
    expect(two.stderr).toEqual(one.stderr)
    expect(readdirSync(t.dir).sort()).toEqual(['bad.csv'])
  })

  it('falls back to Latin-1 for a byte that is not UTF-8 in the second half, and with --encoding utf-8 names its line', () => {
    const t = tmpDir()
    const rows = Array.from({ length: 3000 }, (_, i) => Buffer.from(i === 2500 ? 'caf\xe9,1\n' : `row ${i},1\n`, i === 2500 ? 'latin1' : 'utf8'))
    t.file('enc.csv', Buffer.concat([Buffer.from('name,n\n'), ...rows]))
    const two = convert(['enc.csv', 'two.db'], '2', t.dir)
    expect(two.warnings.map((w) => w.code)).toContain('CSV_LATIN1')
    expect(t.query(t.path('two.db'), "SELECT name FROM enc WHERE name LIKE 'caf%'")).toEqual([{ name: 'café' }])
    const forced = failure(['enc.csv', 'forced.db', '--encoding', 'utf-8'], '2', t.dir)
    expect(forced.stderr).toContain('line 2502, column 4: not valid UTF-8')
    expect(forced.stderr).toEqual(failure(['enc.csv', 'forced.db', '--encoding', 'utf-8'], '1', t.dir).stderr)
  })

  it('stops both threads on SIGINT, exits 130 and leaves neither the database nor a temporary file', async () => {
    const t = tmpDir()
    let text = 'id,name,value\n'
    for (let i = 1; i <= 400_000; i++) text += `${i},"name ${i}",${i / 4}\n`
    t.file('big.csv', text)
    const child = spawn(process.execPath, [cli, 'csvs-to-sqlite', 'big.csv', 'big.db'], { cwd: t.dir, env: { ...process.env, DATAPUB_CSV_THREADS: '2' }, stdio: 'ignore' })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    // Interrupt once the temporary database exists: the conversion is then under way on both threads.
    const started = Date.now()
    while (!readdirSync(t.dir).some((f) => f.endsWith('.tmp')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 5))
    expect(readdirSync(t.dir).some((f) => f.endsWith('.tmp'))).toBe(true)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(readdirSync(t.dir)).toEqual(['big.csv'])
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
