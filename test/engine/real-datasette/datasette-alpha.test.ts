import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { engineEnv } from '../../helpers/engine-env.js'

// The smaller matrix entry: the newest Datasette 1.0 alpha from its own pinned wheelhouse, one
// publish of the default (minimal) runtime on the look-alike. What the alphas change and what
// datapub does about it is listed in the README ("Datasette versions").
const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const bin = path.join(root, 'packages/cli/bin/datapub.mjs')
const wheels = process.env.DATAPUB_DATASETTE_ALPHA_WHEELS
const lookalike = process.env.DATAPUB_TEST_BASE_LOOKALIKE
const name = `realds-alpha-${process.pid}`
const env = engineEnv()

const datapub = (args: string[]) =>
  run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, DOCKER_HOST: env.dockerHost, DATAPUB_PIP_FIND_LINKS: wheels }, maxBuffer: 64 * 1024 * 1024 })

afterAll(async () => {
  await datapub(['destroy', 'local', name]).catch(() => undefined)
})

describe.skipIf(!wheels || !lookalike)('Datasette 1.0 alpha', () => {
  it('publishes, passes datapub\'s verify (the wrapped /-/databases.json) and serves the data, settings and title', async () => {
    const { stdout } = await datapub([
      'publish', 'local', 'examples/timezones/timezones.csv', '--json', '--name', name, '--base-image', lookalike!,
      '--title', 'Time zones (alpha)', '--extra-options', '--setting default_page_size 5', '--version-note', 'alpha',
    ])
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; deployment?: { url: string } })
    expect(events.map((e) => e.type)).toContain('verify:ok')
    const url = events.find((e) => e.type === 'result')!.deployment!.url
    const get = async (p: string) => {
      const response = await fetch(new URL(p, url))
      expect(response.status, p).toBe(200)
      return response
    }
    const versions = (await (await get('-/versions.json')).json()) as { datasette: { version: string; note: string } }
    expect(versions.datasette.version).toMatch(/^1\.0a\d+$/)
    expect(versions.datasette.note).toBe('alpha')
    const rows = (await (await get('data/timezones.json?_shape=array&timezone=Europe/Paris')).json()) as Array<Record<string, unknown>>
    expect(rows).toEqual([expect.objectContaining({ country_code: 'FR' })])
    const query = (await (await get(`data/-/query.json?sql=${encodeURIComponent('select count(*) as n from timezones')}`)).json()) as { rows: Array<{ n: number }> }
    expect(query.rows).toEqual([{ n: 418 }])
    expect(((await (await get('-/settings.json')).json()) as { default_page_size: number }).default_page_size).toBe(5)
    expect(await (await get('')).text()).toContain('<h1>Time zones (alpha)</h1>')
    expect((await (await get('data/timezones.csv?_size=max')).text()).trim().split('\n')).toHaveLength(419)
  })
})
