import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { publish } from '@datapub/core'
import { recordEvents } from '@datapub/core/testing'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { SENTINEL_TOKEN } from './fly-mock.js'

useHttpMock()
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-fly-recipe-'))
  await writeFile(path.join(dir, 'birds.csv'), 'id,name\n1,robin\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function dockerfileFor(providerOptions: Record<string, unknown>, out: string): Promise<string> {
  // --generate-dir stops before any host call: no token check, no request (the mock layer fails on one).
  const run = await recordEvents(
    publish({ provider: 'fly', files: ['birds.csv'], options: { name: 'birds', generateDir: out }, providerOptions, cwd: dir, services: { Env: { FLY_API_TOKEN: SENTINEL_TOKEN } } }),
  )
  expect(run.error?.toJSON()).toBeUndefined()
  expect(run.serialized()).not.toContain(SENTINEL_TOKEN)
  return readFile(path.join(dir, out, 'Dockerfile'), 'utf8')
}

it('--create-db serves /data/NAME.db read-write with --create, on the base runtime (root, for the root-owned volume)', async () => {
  const dockerfile = await dockerfileFor({ createVolume: 1, region: 'ams', createDb: 'notes' }, 'with-db')
  const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '))!
  expect(cmd).toContain('-i data.db --cors --inspect-file inspect-data.json /data/notes.db --create --port')
  expect(dockerfile).not.toContain('USER 65532')
})

it('without --create-db the image is the usual minimal, non-root one with immutable databases only', async () => {
  const dockerfile = await dockerfileFor({}, 'plain')
  expect(dockerfile).not.toContain('/data/')
  expect(dockerfile).toContain('USER 65532')
})
