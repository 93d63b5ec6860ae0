import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { sweepStaleWorkDirs } from '../../src/publish/sweep-stale-work-dirs.js'

let dir: string
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'sweep-test-'))))
afterEach(() => rm(dir, { recursive: true, force: true }))

it('removes work folders of dead publishes and keeps live ones and anything not named like ours', async () => {
  // A pid that surely exited: a child that has already been reaped.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid
  const names = [`datapub-${dead}-AbC123`, `datapub-${process.pid}-XyZ789`, `datapub-${process.ppid}-QqQ111`, 'datapub-registry-abc', `datapub-${dead}-toolongname`, 'datapub-hostile-1']
  for (const name of names) await mkdir(path.join(dir, name, 'data'), { recursive: true })
  expect(await sweepStaleWorkDirs(dir)).toEqual([`datapub-${dead}-AbC123`])
  expect((await readdir(dir)).sort()).toEqual(names.slice(1).sort())
})
