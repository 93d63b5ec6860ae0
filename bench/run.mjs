#!/usr/bin/env node
// Runs the benchmark entries and prints ratios against peers measured in the same run.
import { readdir, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const here = path.dirname(fileURLToPath(import.meta.url))
const { values } = parseArgs({ options: { only: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false }, big: { type: 'boolean', default: false } } })
const entries = (await readdir(here)).filter((f) => f.endsWith('.bench.mjs')).sort()
const selected = entries.filter((f) => !values.only || values.only.some((o) => f.startsWith(o)))
if (selected.length === 0) {
  console.error(`No bench entry matches ${values.only}. Entries: ${entries.join(', ')}`)
  process.exit(2)
}
const results = []
let failed = 0
for (const file of selected) {
  const mod = await import(path.join(here, file))
  process.stderr.write(`\n== ${file}\n`)
  const result = await mod.default({ quick: values.quick, big: values.big, root: path.dirname(here), log: (m) => process.stderr.write(`   ${m}\n`) })
  results.push(result)
  console.log(`\n${result.name}`)
  for (const m of result.measurements) console.log(`  ${m.label.padEnd(52)} ${format(m.value)} ${m.unit}`)
  for (const r of result.ratios) {
    // --quick is a smoke run on tiny data: it checks that every entry works, not its targets.
    const checked = r.target !== undefined && !values.quick
    if (checked && !r.pass) failed++
    const target = r.target === undefined ? '' : `target ${r.better === 'lower' ? '<=' : '>='} ${r.target}`
    console.log(`  ${r.label.padEnd(52)} ${format(r.value)}x  ${target}  ${r.target === undefined ? '' : !checked ? '(not checked: --quick)' : r.pass ? 'PASS' : 'FAIL'}`)
  }
}
await mkdir(path.join(here, 'results'), { recursive: true })
await writeFile(path.join(here, 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2))
console.log(`\n${values.quick ? 'smoke run: every entry ran (targets not checked)' : failed === 0 ? 'all targets met' : `FAIL: ${failed} target(s) missed`}`)
process.exitCode = failed === 0 ? 0 : 1

function format(value) {
  return typeof value === 'number' ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : String(value)
}
