import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolvePublishSpec } from '@datapub/core'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-plugin-secret-'))
  await writeFile(path.join(dir, 'a.csv'), 'a\n1\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const resolve = (pluginSecret: Array<[string, string, string]>) => resolvePublishSpec({ files: ['a.csv'], pluginSecret, secret: 'cookie-secret-1234' }, { env: {}, cwd: dir })

describe('plugin secrets become environment variables that cannot steer the server', () => {
  it('refuses names that spell DATASETTE_SECRET, LD_PRELOAD, PYTHONPATH or PORT-like variables', async () => {
    for (const [plugin, setting] of [['datasette', 'secret'], ['ld', 'preload'], ['python', 'path'], ['pip', 'index-url'], ['sqlite', 'extensions']] as const) {
      await expect(resolve([[plugin, setting, 'value-1234']]), `${plugin} ${setting}`).rejects.toMatchObject({ code: 'INPUT_UNSAFE', path: 'pluginSecret[0]' })
    }
  })

  it('refuses two secrets that would share one variable instead of dropping one', async () => {
    await expect(resolve([['a-b', 'c', 'one-1234'], ['a', 'b-c', 'two-1234']])).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: 'pluginSecret[1]' })
  })

  it('keeps ordinary plugin secrets and the cookie secret', async () => {
    const spec = await resolve([['datasette-auth-github', 'client_secret', 'gh-secret-1234']])
    expect(spec.env).toEqual({ DATASETTE_SECRET: 'cookie-secret-1234', DATASETTE_AUTH_GITHUB_CLIENT_SECRET: 'gh-secret-1234' })
  })
})
