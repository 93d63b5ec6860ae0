import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { csvsToSqlite } from '@datapub/core'
import { createCsvsToSqliteCommand, parseCsvsToSqliteArgs } from '../src/commands/csvs-to-sqlite.js'
import type { CliIO } from '../src/cli-command.js'

function io(cwd: string, json = false) {
  const out: string[] = []
  const err: string[] = []
  const value: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), json, isTTY: false, env: {}, cwd, signal: new AbortController().signal }
  return { io: value, out, err }
}

describe('datapub csvs-to-sqlite', () => {
  it('parses csvs-to-sqlite flags, including two-letter short forms and NAME VALUE pairs', () => {
    const args = parseCsvsToSqliteArgs([
      'a.csv', 'dir', 'out',
      '-s', ';', '-q', '3', '-t', 'all', '-c', 'county:Counties', '-d', 'day', '-dt', 'when', '-df', '%d/%m/%Y', '-pk', 'id', '-pk', 'k',
      '-f', 'title', '-i', 'a,b', '--shape', 'a:b(REAL)', '--filename-column', 'src', '--fixed-column', 'kind', 'x',
      '--fixed-column-int', 'n', '7', '--fixed-column-float=f', '0.5', '--no-index-fks', '--no-fulltext-fks', '--just-strings',
      '--skip-errors', '--replace-tables', '--type', 'zip', 'text', '--sniff', '--encoding=latin-1',
    ])
    expect(args).toEqual({
      paths: ['a.csv', 'dir'],
      db: 'out.db',
      help: false,
      options: {
        separator: ';', quoting: 3, table: 'all', extractColumn: ['county:Counties'], date: ['day'], datetime: ['when'], datetimeFormat: ['%d/%m/%Y'],
        primaryKey: ['id', 'k'], fts: ['title'], index: ['a,b'], shape: 'a:b(REAL)', filenameColumn: 'src', fixedColumn: [['kind', 'x']],
        fixedColumnInt: [['n', '7']], fixedColumnFloat: [['f', '0.5']], noIndexFks: true, noFulltextFks: true, justStrings: true,
        skipErrors: true, replaceTables: true, types: { zip: 'text' }, sniff: true, encoding: 'latin-1',
      },
    })
    expect(parseCsvsToSqliteArgs(['a.csv', 'my.sqlite']).db).toBe('my.sqlite')
  })

  it.each([
    [['a.csv', 'b.csv'], 'ends in .csv'],
    [['a.csv'], 'then the database'],
    [['a.csv', 'x.db', '--bogus'], 'unknown option'],
    [['a.csv', 'x.db', '-q', '7'], 'takes 0, 1, 2 or 3'],
    [['a.csv', 'x.db', '--fixed-column', 'only'], 'NAME VALUE'],
  ])('rejects %j with CONFIG_INVALID', (argv, message) => {
    expect(() => parseCsvsToSqliteArgs(argv)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(message) }))
  })

  it('converts files relative to cwd and prints a summary, or the report with --json', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'datapub-cli-'))
    writeFileSync(path.join(cwd, 'people.csv'), 'id,zip\n1,01234\n2,90210\n')
    const command = createCsvsToSqliteCommand(async () => ({ csvsToSqlite }))
    const human = io(cwd)
    expect(await command.run(['people.csv', 'out', '-i', 'zip'], human.io)).toBe(0)
    expect(human.out.join('')).toContain('people: 2 rows, 2 columns')
    expect(execFileSync('sqlite3', [path.join(cwd, 'out.db'), 'SELECT zip FROM people ORDER BY id'], { encoding: 'utf8' })).toBe('01234\n90210\n')
    const json = io(cwd, true)
    expect(await command.run(['people.csv', 'out.db', '--replace-tables'], json.io)).toBe(0)
    expect(JSON.parse(json.out.join(''))).toMatchObject({ written: true, tables: [{ name: 'people', rows: 2 }] })
  })

  it('prints usage with --help', async () => {
    const help = io('/')
    expect(await createCsvsToSqliteCommand(async () => ({ csvsToSqlite })).run(['--help'], help.io)).toBe(0)
    expect(help.out.join('')).toMatch(/-dt, --datetime[\s\S]*-pk, --primary-key/)
  })
})
