// CSV to SQLite: datapub's converter (type detection on) against `sqlite3 .import` (C, no type
// detection) and `sqlite-utils insert --csv --detect-types`, on a generated, cached CSV.
// `pnpm bench --only csv --big` also converts a >= 1 GB file and reports peak RSS.
import { execFileSync, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const CACHE = path.join(os.tmpdir(), 'datapub-bench-csv')
const UTILS_ROWS = 100_000
// ~68 bytes a row: 16M rows make a file over 1 GB.
const BIG_ROWS = 16_000_000

export default async function csvToSqliteBench(ctx) {
  const rows = ctx.quick ? 100_000 : 1_000_000
  mkdirSync(CACHE, { recursive: true })
  const csv = await generate(rows)
  const slice = rows > UTILS_ROWS ? await generate(UTILS_ROWS) : csv
  const bundle = buildConverter(ctx.root)
  const measurements = []
  const ours = runOurs(bundle, csv)
  const c = runMeasured('sqlite3', ['-bail', '-cmd', '.mode csv', dbFile('sqlite3'), `.import ${csv} t`])
  ctx.log(`datapub ${ours.seconds.toFixed(2)}s, sqlite3 .import ${c.seconds.toFixed(2)}s`)
  const utils = runMeasured('sqlite-utils', ['insert', dbFile('utils'), 't', slice, '--csv', '--detect-types'])
  const utilsRowsPerSecond = UTILS_ROWS / utils.seconds
  const oursRate = rows / ours.seconds
  const cRate = rows / c.seconds
  measurements.push(
    { label: `datapub csvsToSqlite, ${rows} rows, rows/s`, value: oursRate, unit: 'rows/s' },
    { label: 'datapub peak RSS', value: ours.rssMB, unit: 'MB' },
    { label: `sqlite3 .import, ${rows} rows, rows/s`, value: cRate, unit: 'rows/s' },
    { label: 'sqlite3 peak RSS', value: c.rssMB, unit: 'MB' },
    { label: `sqlite-utils --detect-types, ${UTILS_ROWS}-row slice, rows/s`, value: utilsRowsPerSecond, unit: 'rows/s' },
    { label: 'sqlite-utils peak RSS', value: utils.rssMB, unit: 'MB' },
  )
  if (ctx.big) {
    const big = await generate(BIG_ROWS)
    const size = statSync(big).size
    const result = runOurs(bundle, big)
    measurements.push(
      { label: `datapub on ${(size / 1e9).toFixed(2)} GB CSV, rows/s`, value: BIG_ROWS / result.seconds, unit: 'rows/s' },
      { label: `datapub on ${(size / 1e9).toFixed(2)} GB CSV, peak RSS`, value: result.rssMB, unit: 'MB' },
    )
  }
  return {
    name: 'CSV to SQLite (1M rows x 10 mixed columns)',
    measurements,
    ratios: [
      { label: 'datapub / sqlite3 .import throughput', value: oursRate / cRate, target: 0.7, better: 'higher', pass: oursRate / cRate >= 0.7 },
      { label: 'datapub / sqlite-utils throughput (per row)', value: oursRate / utilsRowsPerSecond, target: 10, better: 'higher', pass: oursRate / utilsRowsPerSecond >= 10 },
    ],
  }
}

function dbFile(name) {
  const file = path.join(CACHE, `${name}.db`)
  rmSync(file, { force: true })
  return file
}

function buildConverter(root) {
  // The bundle lives under core's node_modules so `better-sqlite3` and `zod` resolve from there.
  const out = path.join(root, 'packages/core/node_modules/.cache/datapub-bench/data.mjs')
  execFileSync('npx', ['esbuild', 'packages/core/src/data/index.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${out}`, '--log-level=warning'], { cwd: root, stdio: 'inherit' })
  return out
}

function runOurs(bundle, csv) {
  const script = `const m = await import(${JSON.stringify(bundle)}); await m.csvsToSqlite([${JSON.stringify(csv)}], ${JSON.stringify(dbFile('datapub'))}, { table: 't' })`
  return runMeasured(process.execPath, ['--input-type=module', '-e', script])
}

/** Runs a child under /usr/bin/time -v for wall time and peak RSS (max resident set). */
function runMeasured(command, args) {
  const start = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.slice(-2000)}`)
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

async function generate(rows) {
  const file = path.join(CACHE, `mixed-${rows}.csv`)
  if (existsSync(file) && existsSync(`${file}.done`)) return file
  const random = prng(42)
  const out = createWriteStream(file)
  out.write('id,qty,price,name,zip,maybe,note,ratio,city,flag\n')
  let chunk = ''
  for (let i = 1; i <= rows; i++) {
    const w = (n) => WORDS[Math.floor(random() * WORDS.length)] + (n ? ` ${WORDS[Math.floor(random() * WORDS.length)]}` : '')
    const qty = Math.floor(random() * 10000) - 500
    const price = (random() * 1000).toFixed(2)
    const zip = String(Math.floor(random() * 100000)).padStart(5, '0')
    const maybe = random() < 0.4 ? '' : String(Math.floor(random() * 100))
    const note = random() < 0.3 ? `"${w(true)}, ${w(false)} ""quoted"""` : w(true)
    const ratio = random() < 0.1 ? '' : (random() * 2 - 1).toExponential(3)
    chunk += `${i},${qty},${price},${w(false)},${zip},${maybe},${note},${ratio},${w(false)},${random() < 0.5 ? 1 : 0}\n`
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
  const result = await csvToSqliteBench({ quick: process.argv.includes('--quick'), root, log: (m) => process.stderr.write(`   ${m}\n`) })
  for (const m of result.measurements) console.log(`${m.label.padEnd(60)} ${m.value.toFixed(2)} ${m.unit}`)
  for (const r of result.ratios) console.log(`${r.label.padEnd(60)} ${r.value.toFixed(2)}x  target >= ${r.target}  ${r.pass ? 'PASS' : 'MISS'}`)
}
