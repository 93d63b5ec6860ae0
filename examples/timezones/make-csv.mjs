#!/usr/bin/env node
// Regenerates timezones.csv and countries.csv from the tz database tables Debian ships
// (package tzdata: /usr/share/zoneinfo/zone.tab and iso3166.tab). Coordinates are converted
// from ISO 6709 (+DDMM+DDDMM or +DDMMSS+DDDMMSS) to decimal degrees.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const source = process.argv[2] ?? '/usr/share/zoneinfo'
const rows = (file) => readFileSync(path.join(source, file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'))
const csv = (value) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)

function degrees(sign, digits) {
  const degLen = digits.length === 4 || digits.length === 6 ? 2 : 3
  const deg = Number(digits.slice(0, degLen))
  const min = Number(digits.slice(degLen, degLen + 2))
  const sec = digits.length > degLen + 2 ? Number(digits.slice(degLen + 2)) : 0
  return Number(((sign === '-' ? -1 : 1) * (deg + min / 60 + sec / 3600)).toFixed(4))
}

function coordinates(iso6709) {
  const m = /^([+-])(\d{4}|\d{6})([+-])(\d{5}|\d{7})$/.exec(iso6709)
  if (!m) throw new Error(`bad coordinates ${iso6709}`)
  return [degrees(m[1], m[2]), degrees(m[3], m[4])]
}

const zones = rows('zone.tab').map(([country, coords, tz, comment = '']) => {
  const [latitude, longitude] = coordinates(coords)
  return [tz, country, latitude, longitude, comment]
})
writeFileSync(path.join(here, 'timezones.csv'), ['timezone,country_code,latitude,longitude,comment', ...zones.map((r) => r.map((v) => csv(String(v))).join(','))].join('\n') + '\n')
const countries = rows('iso3166.tab').map(([code, name]) => [code, name])
writeFileSync(path.join(here, 'countries.csv'), ['country_code,name', ...countries.map((r) => r.map(csv).join(','))].join('\n') + '\n')
console.log(`${zones.length} time zones, ${countries.length} countries`)
