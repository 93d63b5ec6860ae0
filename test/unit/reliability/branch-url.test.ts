import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolvePublishSpec } from '@datapub/core'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-branch-'))
  await writeFile(path.join(dir, 'a.csv'), 'a\n1\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const resolve = (branch: string) => resolvePublishSpec({ files: ['a.csv'], branch }, { env: {}, cwd: dir })

describe('--branch stays inside the Datasette repository', () => {
  it('refuses dot and empty segments that would reach another repository through the archive URL', async () => {
    for (const branch of ['x/../../../../attacker/repo/archive/main', 'a/./b', 'a//b', 'feature/..']) {
      await expect(resolve(branch), branch).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'branch' })
    }
  })

  it('keeps ordinary branch names with slashes and dots', async () => {
    expect((await resolve('release/1.0.x')).datasette).toBe('https://github.com/simonw/datasette/archive/release/1.0.x.zip')
  })
})
