import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvsToSqlite, isDatapubError, MigrationJournal, publish } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { runCliChild } from './run-cli-child.js'

const run = promisify(execFile)

/**
 * A file system that fills up part way: a 1 MiB tmpfs mounted by the test (root only). The
 * data stage, the work folder, --generate-dir and the migration journal must each end in
 * DISK_FULL naming the path and the space needed, leave nothing partial behind, and leave the
 * inputs untouched.
 */

const isRoot = process.getuid?.() === 0
const SIZE = 1024 * 1024
let disk: string
let work: string
let csv: string
let csvHash: string
const tally: Record<string, unknown> = {}

const hash = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex')

beforeAll(async () => {
  if (!isRoot) return
  disk = await mkdtemp(path.join(tmpdir(), 'datapub-full-disk-'))
  await run('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=1777`, 'datapub-full-disk', disk])
  work = await mkdtemp(path.join(tmpdir(), 'datapub-full-disk-work-'))
  // About 3 MB of CSV: its database cannot fit in 1 MiB.
  const rows = Array.from({ length: 40_000 }, (_, i) => `${i},bird number ${i} with a longer name,${(i * 1.5).toFixed(1)}`)
  csv = path.join(work, 'birds.csv')
  await writeFile(csv, `id,name,weight\n${rows.join('\n')}\n`)
  csvHash = await hash(csv)
})
afterAll(async () => {
  if (!isRoot) return
  await run('umount', [disk]).catch(() => undefined)
  await rm(disk, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
  console.info(`full disk: ${JSON.stringify(tally)}`)
})

function expectDiskFull(error: unknown, where: string): void {
  expect(isDatapubError(error), String(error)).toBe(true)
  expect(error).toMatchObject({ code: 'DISK_FULL', fault: 'user', hint: expect.any(String) })
  const details = (error as { details: { path: string; neededBytes?: number; freeBytes?: number } }).details
  expect(details.path.startsWith(where), `${details.path} is on the full file system ${where}`).toBe(true)
  expect(details.freeBytes).toBeLessThanOrEqual(SIZE)
  expect((error as Error).message).toContain(disk)
}

describe.skipIf(!isRoot)('a file system that fills up part way (1 MiB tmpfs)', () => {
  it('the data stage: DISK_FULL naming the database and the space needed; no temp database left; input untouched', async () => {
    const error = await csvsToSqlite([csv], path.join(disk, 'out.db')).catch((e: unknown) => e)
    expectDiskFull(error, disk)
    expect((error as { details: { neededBytes: number } }).details.neededBytes).toBeGreaterThan(SIZE)
    expect(await readdir(disk)).toEqual([])
    expect(await hash(csv)).toBe(csvHash)
    tally.data = (error as Error).message
  })

  it('the work folder on the full disk (TMPDIR, the CLI as a child process): DISK_FULL, no work folder left, nothing generated', async () => {
    // A child process: SQLite fixes its temp directory from TMPDIR once per process, so this test's own process keeps its TMPDIR.
    const child = await runCliChild(['publish', 'local', csv, '--generate-dir', 'gen-work'], { cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: disk, HOME: work } })
    expect(child.code, child.stderr).toBe(2)
    expect(child.stderr).toMatch(/^error DISK_FULL: No space left to write .*needs about \d+(\.\d)? MB, \d+(\.\d)? MB free on the file system holding /m)
    expect(child.stderr).toContain(disk)
    expect(child.stderr, 'never a stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
    expect(await readdir(disk), 'no work folder or partial database left').toEqual([])
    expect(await readdir(work)).not.toContain('gen-work')
    expect(await hash(csv)).toBe(csvHash)
    tally.workFolder = child.stderr.trim().split('\n').find((l) => l.startsWith('error'))
  })

  it('--generate-dir on the full disk: DISK_FULL, the half-written context removed (a folder it made, or the contents of an empty one)', async () => {
    for (const existed of [false, true]) {
      const gen = path.join(disk, existed ? 'empty' : 'new')
      if (existed) await mkdir(gen)
      const result = await recordEvents(publish({ provider: 'local', files: [csv], cwd: work, options: { generateDir: gen }, services: { Env: {} } }))
      expectDiskFull(result.error, disk)
      expect(await readdir(disk)).toEqual(existed ? ['empty'] : [])
      if (existed) {
        expect(await readdir(gen), 'the empty folder is left empty').toEqual([])
        await rm(gen, { recursive: true })
      }
      expect(await hash(csv)).toBe(csvHash)
      tally[existed ? 'generateDirEmpty' : 'generateDirNew'] = result.error?.message
    }
  })

  it('the migration journal: DISK_FULL naming the journal; the change rolled back, earlier progress kept', async () => {
    const file = path.join(disk, 'journal.db')
    const journal = new MigrationJournal(file)
    journal.enqueue([{ key: 'a', from: 'heroku:a', to: 'local:a' }])
    journal.start('a')
    journal.finishStep('a', 'export', { ok: true })
    // Fill what is left of the disk.
    const filler = path.join(disk, 'filler')
    await writeFile(filler, Buffer.alloc(SIZE)).catch(() => undefined)
    let error: unknown
    try {
      journal.finishStep('a', 'import', { big: 'x'.repeat(400_000) })
    } catch (e) {
      error = e
    }
    expectDiskFull(error, file)
    journal.close()
    await rm(filler, { force: true })
    const reopened = new MigrationJournal(file)
    expect(reopened.get('a')).toMatchObject({ state: 'running', step: 'export', outputs: { export: { ok: true } } })
    reopened.close()
    await rm(disk + '/journal.db', { force: true })
    for (const f of await readdir(disk)) await rm(path.join(disk, f), { force: true })
    tally.journal = (error as Error).message
  })
})
