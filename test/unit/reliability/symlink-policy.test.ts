import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolvePublishSpec } from '@datapub/core'

let root: string
let work: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'datapub-links-'))
  work = path.join(root, 'work')
  await mkdir(path.join(work, 'inner'), { recursive: true })
  await mkdir(path.join(root, 'outside'))
  await writeFile(path.join(work, 'data.csv'), 'a\n1\n')
  await writeFile(path.join(root, 'outside', 'secret.csv'), 'a\n2\n')
})
afterEach(() => rm(root, { recursive: true, force: true }))

const resolve = (files: string[], extra: Record<string, unknown> = {}) => resolvePublishSpec({ files, ...extra }, { cwd: work, env: {} })

describe('symbolic links in inputs', () => {
  it('refuses a link that leads outside its folder and cwd, naming the field', async () => {
    await symlink('../outside/secret.csv', path.join(work, 'link.csv'))
    await expect(resolve(['link.csv'])).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'files[0]' })
  })

  it('refuses a linked folder on the way; .. after a link is taken lexically, never through it', async () => {
    await symlink(path.join(root, 'outside'), path.join(work, 'sub'))
    await expect(resolve(['sub/secret.csv'])).rejects.toMatchObject({ code: 'INPUT_UNSAFE' })
    await expect(resolve(['sub/../outside/secret.csv'])).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' })
  })

  it('refuses links for metadata, static folders and the generate dir too', async () => {
    await writeFile(path.join(root, 'outside', 'meta.json'), '{}')
    await symlink('../outside/meta.json', path.join(work, 'meta.json'))
    await symlink('../outside', path.join(work, 'static'))
    await expect(resolve(['data.csv'], { metadata: 'meta.json' })).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'metadata' })
    await expect(resolve(['data.csv'], { static: ['s:static'] })).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'static[0]' })
    await expect(resolve(['data.csv'], { generateDir: 'static/new' })).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'generateDir' })
  })

  it('accepts links within their folder or cwd, and paths typed outright', async () => {
    await symlink('data.csv', path.join(work, 'alias.csv'))
    await symlink('../data.csv', path.join(work, 'inner', 'up.csv'))
    const spec = await resolve(['alias.csv', 'inner/up.csv', '../outside/secret.csv', path.join(root, 'outside', 'secret.csv')], { generateDir: 'new/ctx' })
    expect(spec.inputs.map((i) => path.relative(root, i.path))).toEqual(['work/data.csv', 'work/data.csv', 'outside/secret.csv', 'outside/secret.csv'])
  })
})
