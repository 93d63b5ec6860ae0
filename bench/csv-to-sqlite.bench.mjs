// CSV to SQLite, whole commands as a user types them (process start included), on two shapes of
// generated, cached data: `datapub csvs-to-sqlite` (type detection on) against `sqlite3 .import`
// (C, no type detection), csvs-to-sqlite 1.3.1 (PyPI, pandas) and `sqlite-utils insert --csv
// --detect-types`. `--big` adds a file over 1 GB for peak RSS. `--quick`: tiny files, a smoke run.
import { spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const CACHE = path.join(os.tmpdir(), 'datapub-bench-csv')
const UTILS_ROWS = 100_000
const RSS_BUDGET_MB = 200

export default async function csvToSqliteBench(ctx) {
  const bin = path.join(ctx.root, 'packages/cli/bin/datapub.mjs')
  if (!existsSync(path.join(ctx.root, 'packages/core/dist/csv-worker-thread.js'))) throw new Error('build first: pnpm build')
  mkdirSync(CACHE, { recursive: true })
  const peer = findCsvsToSqlite()
  if (peer === undefined) ctx.log('csvs-to-sqlite is not installed (scripts/toolchain.sh installs it): its ratios are not measured')
  const sizes = ctx.quick ? [2_000] : [300_000, 3_000_000]
  const measurements = []
  const ratios = []
  const ratio = (label, value, target) => ratios.push({ label, value, target, better: 'higher', pass: value >= target })
  for (const shape of Object.keys(SHAPES)) {
    for (const rows of sizes) {
      const csv = await generate(shape, rows)
      const mb = statSync(csv).size / 1e6
      // Alternate the two, and keep each one's best of `runs`: noise from other processes only slows a run down.
      const runs = rows <= 300_000 ? 3 : 1
      let ours
      let c
      for (let i = 0; i < runs; i++) {
        const a = runMeasured(process.execPath, [bin, 'csvs-to-sqlite', csv, dbFile('datapub')])
        const b = runMeasured('sqlite3', ['-bail', '-cmd', '.mode csv', dbFile('sqlite3'), `.import ${csv} t`])
        if (ours === undefined || a.seconds < ours.seconds) ours = a
        if (c === undefined || b.seconds < c.seconds) c = b
      }
      ctx.log(`${shape} ${rows} rows (${mb.toFixed(0)} MB): datapub ${ours.seconds.toFixed(2)}s, sqlite3 .import ${c.seconds.toFixed(2)}s`)
      measurements.push(
        { label: `${shape} ${rows}: datapub csvs-to-sqlite`, value: ours.seconds, unit: `s (${(rows / ours.seconds / 1e3).toFixed(0)}k rows/s, peak RSS ${ours.rssMB.toFixed(0)} MB)` },
        { label: `${shape} ${rows}: sqlite3 .import`, value: c.seconds, unit: `s (${(rows / c.seconds / 1e3).toFixed(0)}k rows/s, peak RSS ${c.rssMB.toFixed(0)} MB)` },
      )
      ratio(`${shape} ${rows}: datapub / sqlite3 .import speed`, c.seconds / ours.seconds, 1)
      // csvs-to-sqlite (pandas) on the smaller size of each shape: the 3M-row run would take minutes.
      if (peer !== undefined && rows === sizes[0]) {
        const theirs = runMeasured(peer, [csv, dbFile('csvs-to-sqlite')])
        ctx.log(`${shape} ${rows} rows: csvs-to-sqlite ${theirs.seconds.toFixed(2)}s`)
        measurements.push({ label: `${shape} ${rows}: csvs-to-sqlite 1.3.1`, value: theirs.seconds, unit: `s (${(rows / theirs.seconds / 1e3).toFixed(0)}k rows/s, peak RSS ${theirs.rssMB.toFixed(0)} MB)` })
        ratio(`${shape} ${rows}: datapub / csvs-to-sqlite speed`, theirs.seconds / ours.seconds, 1)
      }
    }
  }
  // sqlite-utils parses in Python row by row: a slice, compared per row.
  const sliceRows = ctx.quick ? 2_000 : UTILS_ROWS
  const slice = await generate('mixed', sliceRows)
  const utils = runMeasured('sqlite-utils', ['insert', dbFile('utils'), 't', slice, '--csv', '--detect-types'])
  const oursSlice = runMeasured(process.execPath, [bin, 'csvs-to-sqlite', slice, dbFile('datapub')])
  measurements.push(
    { label: `mixed ${sliceRows}: sqlite-utils --detect-types`, value: utils.seconds, unit: `s (peak RSS ${utils.rssMB.toFixed(0)} MB)` },
    { label: `mixed ${sliceRows}: datapub csvs-to-sqlite`, value: oursSlice.seconds, unit: 's' },
  )
  ratio(`mixed ${sliceRows}: datapub / sqlite-utils speed`, utils.seconds / oursSlice.seconds, ctx.quick ? 1 : 10)
  if (ctx.big) {
    // ~68 bytes a row: 16M rows make a file over 1 GB.
    const big = await generate('mixed', 16_000_000)
    const size = statSync(big).size
    const result = runMeasured(process.execPath, [bin, 'csvs-to-sqlite', big, dbFile('datapub')])
    measurements.push({ label: `mixed ${(size / 1e9).toFixed(2)} GB: datapub csvs-to-sqlite`, value: result.seconds, unit: `s (peak RSS ${result.rssMB.toFixed(0)} MB)` })
    ratios.push({ label: `${(size / 1e9).toFixed(2)} GB file: datapub peak RSS / ${RSS_BUDGET_MB} MB`, value: result.rssMB / RSS_BUDGET_MB, target: 1, better: 'lower', pass: result.rssMB < RSS_BUDGET_MB })
  }
  rmSync(path.join(CACHE, 'db'), { recursive: true, force: true })
  return { name: 'CSV to SQLite: whole commands, two data shapes', measurements, ratios }
}

function findCsvsToSqlite() {
  const candidates = [process.env.DATAPUB_CSVS_TO_SQLITE, '/var/tmp/datapub-csvs-to-sqlite-1.3.1/bin/csvs-to-sqlite', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'csvs-to-sqlite'))]
  return candidates.find((c) => c && existsSync(c) && spawnSync(c, ['--version']).status === 0)
}

function dbFile(name) {
  mkdirSync(path.join(CACHE, 'db'), { recursive: true })
  const file = path.join(CACHE, 'db', `${name}.db`)
  rmSync(file, { force: true })
  return file
}

/** Runs a whole command under /usr/bin/time -v: wall time from spawn to exit, and peak RSS. */
function runMeasured(command, args) {
  const start = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.slice(-2000)}`)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)
  return { seconds, rssMB: rss ? Number(rss[1]) / 1024 : NaN }
}

/** mulberry32: a tiny seeded PRNG, so every run converts the same bytes. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']
const TOWNS = ['Springfield', 'Riverside', 'Fairview', 'Madison', 'Georgetown', 'Salem', 'Clinton', 'Franklin']

const SHAPES = {
  // The bench's own: 10 columns, integers, money, ZIPs, sparse values, quoted text with escapes, exponents.
  mixed: {
    header: 'id,qty,price,name,zip,maybe,note,ratio,city,flag',
    row(i, random) {
      const w = (n) => WORDS[Math.floor(random() * WORDS.length)] + (n ? ` ${WORDS[Math.floor(random() * WORDS.length)]}` : '')
      const qty = Math.floor(random() * 10000) - 500
      const price = (random() * 1000).toFixed(2)
      const zip = String(Math.floor(random() * 100000)).padStart(5, '0')
      const maybe = random() < 0.4 ? '' : String(Math.floor(random() * 100))
      const note = random() < 0.3 ? `"${w(true)}, ${w(false)} ""quoted"""` : w(true)
      const ratio = random() < 0.1 ? '' : (random() * 2 - 1).toExponential(3)
      return `${i},${qty},${price},${w(false)},${zip},${maybe},${note},${ratio},${w(false)},${random() < 0.5 ? 1 : 0}`
    },
  },
  // The shape: 9 columns, every string quoted, ISO dates, ZIP codes, floats.
  nine: {
    header: 'id,name,signup_date,zip,amount,city,visits,lat,note',
    row(i, random) {
      const town = () => TOWNS[Math.floor(random() * TOWNS.length)]
      const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
      const date = `${int(1990, 2024)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`
      return `${i},"${town()} ${town()}",${date},${String(int(0, 99999)).padStart(5, '0')},${(random() * 10000).toFixed(2)},"${town()}, ${['CA', 'NY', 'TX'][int(0, 2)]}",${int(0, 500)},${(random() * 180 - 90).toFixed(6)},"note ${int(0, 1000)}"`
    },
  },
}

async function generate(shape, rows) {
  const file = path.join(CACHE, `${shape}-${rows}.csv`)
  if (existsSync(file) && existsSync(`${file}.done`)) return file
  const { header, row } = SHAPES[shape]
  const random = prng(42)
  const out = createWriteStream(file)
  out.write(`${header}\n`)
  let chunk = ''
  for (let i = 1; i <= rows; i++) {
    chunk += `${row(i, random)}\n`
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r))
      chunk = ''
    }
  }
  out.write(chunk)
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())))
  createWriteStream(`${file}.done`).end()
  return file
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const result = await csvToSqliteBench({ quick: process.argv.includes('--quick'), big: process.argv.includes('--big'), root, log: (m) => process.stderr.write(`   ${m}\n`) })
  for (const m of result.measurements) console.log(`${m.label.padEnd(60)} ${m.value.toFixed(2)} ${m.unit}`)
  for (const r of result.ratios) console.log(`${r.label.padEnd(60)} ${r.value.toFixed(2)}x  target ${r.better === 'lower' ? '<=' : '>='} ${r.target}  ${r.pass ? 'PASS' : 'FAIL'}`)
  process.exitCode = result.ratios.every((r) => r.pass) ? 0 : 1
}
