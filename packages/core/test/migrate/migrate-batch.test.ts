import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MigrationJournal, migrateBatch, parseBatchList } from '../../src/migrate/index.js'
import { fakeHosts, keptContext } from './fake-providers.js'
import { useDatasetteServers } from './use-datasette-servers.js'

const serve = useDatasetteServers()
const data = (n: number) => ({ db: { hash: `h${n}`, tables: { t: n } } })

async function setup(n: number) {
  const names = Array.from({ length: n }, (_, i) => `dep-${i + 1}`)
  const sources = await Promise.all(names.map((_, i) => serve(data(i + 1))))
  const targets = await Promise.all(names.map((_, i) => serve(data(i + 1))))
  const hosts = fakeHosts(Object.fromEntries(names.map((name, i) => [name, sources[i]!.url])), Object.fromEntries(names.map((name, i) => [name, targets[i]!.url])))
  const journal = path.join(await mkdtemp(path.join(tmpdir(), 'journal-')), 'migrate.sqlite')
  const items = parseBatchList(names.map((name) => `fakesrc:${name}`).join('\n'))
  return { names, sources, targets, hosts, journal, items, sourcesDir: await keptContext() }
}

const count = (list: string[], value: string) => list.filter((v) => v === value).length

describe('migrateBatch', () => {
  it('an interrupted run resumes where it stopped and migrates nothing twice', async () => {
    const { hosts, journal, items, targets, sourcesDir } = await setup(3)
    const controller = new AbortController()
    // dep-2's new deployment never answers: the run is cut off during its verify step.
    targets[1]!.hold(true)
    const watcher = setInterval(() => {
      if (targets[1]!.hits() > 0) controller.abort()
    }, 10)
    const first = await migrateBatch({ items, to: { provider: 'faketgt' }, journal, concurrency: 1, apply: true, sourcesDir, container: hosts.container(), signal: controller.signal, verifyTimeoutMs: 30_000 })
    clearInterval(watcher)
    expect(first.items.map((i) => [i.key, i.state, i.step])).toEqual([
      ['fakesrc:dep-1->faketgt', 'migrated', 'verify'],
      ['fakesrc:dep-2->faketgt', 'interrupted', 'verify'],
      ['fakesrc:dep-3->faketgt', 'pending', null],
    ])
    expect(hosts.calls.deploy.map((d) => d.name)).toEqual(['dep-1', 'dep-2'])

    targets[1]!.hold(false)
    const second = await migrateBatch({ items, to: { provider: 'faketgt' }, journal, concurrency: 1, apply: true, sourcesDir, container: hosts.container() })
    expect(second.counts).toEqual({ skipped: 1, migrated: 2 })
    expect(second.items.map((i) => [i.state, i.attempts, i.skipped ?? false])).toEqual([
      ['migrated', 1, true],
      ['migrated', 2, false],
      ['migrated', 1, false],
    ])
    const deployed = hosts.calls.deploy.map((d) => d.name)
    expect([count(deployed, 'dep-1'), count(deployed, 'dep-2'), count(deployed, 'dep-3')]).toEqual([1, 1, 1])
    expect([count(hosts.calls.export, 'dep-1'), count(hosts.calls.export, 'dep-2'), count(hosts.calls.export, 'dep-3')]).toEqual([1, 1, 1])

    // A third run finds nothing to do.
    const third = await migrateBatch({ items, to: { provider: 'faketgt' }, journal, concurrency: 1, apply: true, sourcesDir, container: hosts.container() })
    expect(third.counts).toEqual({ skipped: 3 })
    expect(hosts.calls.deploy).toHaveLength(3)

    const rows = new MigrationJournal(journal)
    try {
      expect(rows.all().map((r) => [r.state, r.finishedAt !== null, r.errorCode])).toEqual([
        ['migrated', true, null],
        ['migrated', true, null],
        ['migrated', true, null],
      ])
      expect(Object.keys(rows.get('fakesrc:dep-2->faketgt')!.outputs)).toEqual(['export', 'import', 'verify'])
    } finally {
      rows.close()
    }
  })

  it('keeps at most --concurrency migrations in flight, and one failure does not stop the rest', async () => {
    const { hosts, journal, items, sourcesDir, targets } = await setup(5)
    hosts.hooks.beforeDeploy = (name) => new Promise((resolve, reject) => setTimeout(() => (name === 'dep-3' ? reject(new Error('host said no')) : resolve()), 40))
    targets[3]!.data = data(99)
    const summary = await migrateBatch({ items, to: { provider: 'faketgt' }, journal, concurrency: 2, apply: true, sourcesDir, container: hosts.container(), verifyTimeoutMs: 100 })
    expect(hosts.maxInFlight()).toBe(2)
    expect(summary.counts).toEqual({ migrated: 3, failed: 2 })
    expect(summary.items.filter((i) => i.state === 'failed').map((i) => [i.from, i.errorCode, i.step])).toEqual([
      ['fakesrc:dep-3', 'INTERNAL', 'import'],
      ['fakesrc:dep-4', 'MIGRATE_VERIFY_MISMATCH', 'verify'],
    ])
  })

  it('without --apply plans every item and writes no journal', async () => {
    const { hosts, journal, items, sourcesDir } = await setup(2)
    const summary = await migrateBatch({ items, to: { provider: 'faketgt' }, journal, apply: false, sourcesDir, container: hosts.container({}) })
    expect(summary.items.map((i) => i.state)).toEqual(['blocked', 'blocked'])
    expect(summary.items[0]?.plan?.problems).toEqual([expect.stringContaining('DATASETTE_SECRET')])
    expect(hosts.calls.deploy).toEqual([])
    await expect(import('node:fs/promises').then((fs) => fs.stat(journal))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('parseBatchList', () => {
  it('reads text and JSON, refuses duplicates and bad refs', async () => {
    expect(parseBatchList('# list\nheroku:birds  birds-new\n\nnow:dpl_1\n')).toEqual([{ from: 'heroku:birds', name: 'birds-new' }, { from: 'now:dpl_1' }])
    expect(parseBatchList('[{"from":"heroku:a","to":"local"},"now:b"]')).toEqual([{ from: 'heroku:a', to: 'local' }, { from: 'now:b' }])
    expect(() => parseBatchList('heroku:a\nheroku:a')).toThrow(/twice/)
    expect(() => parseBatchList('justaname')).toThrow(/not <provider>:<deployment>/)
  })
})
