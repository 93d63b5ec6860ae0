import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { publish } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-gendir-'))
  await writeFile(path.join(dir, 'a.csv'), 'a\n1\n')
  await writeFile(path.join(dir, 'notes.txt'), 'keep me\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('a --generate-dir that names an existing file is a coded user error and the file is untouched', async () => {
  const run = await recordEvents(publish({ provider: 'local', files: ['a.csv'], options: { generateDir: 'notes.txt' }, cwd: dir, services: { Env: {} } }))
  expect(run.error?.toJSON()).toMatchObject({ code: 'CONFIG_INVALID', fault: 'user', path: 'generateDir' })
  expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me\n')
})
