import { describe, expect, it } from 'vitest'

// Every public entry point, by the name users import it by. A change to what one exports shows
// as a diff of entry-exports.json: `vitest run -u` accepts it, a reviewer sees it.
const ENTRIES: Record<string, () => Promise<Record<string, unknown>>> = {
  '@datapub/core': () => import('@datapub/core'),
  '@datapub/core/kit': () => import('@datapub/core/kit'),
  '@datapub/core/testing': () => import('@datapub/core/testing'),
  '@datapub/core/errors': () => import('@datapub/core/errors'),
  '@datapub/core/data': () => import('@datapub/core/data'),
  '@datapub/core/schemas': () => import('@datapub/core/schemas'),
  '@datapub/cli': () => import('@datapub/cli'),
  '@datapub/provider-cloudrun': () => import('@datapub/provider-cloudrun'),
  '@datapub/provider-heroku': () => import('@datapub/provider-heroku'),
  '@datapub/provider-local': () => import('@datapub/provider-local'),
  '@datapub/provider-fly': () => import('@datapub/provider-fly'),
  '@datapub/provider-now': () => import('@datapub/provider-now'),
  '@datapub/registry-ecr': () => import('@datapub/registry-ecr'),
}

describe('the public surface', () => {
  it('exports exactly the names recorded for each entry point', async () => {
    const surface: Record<string, string[]> = {}
    for (const [entry, load] of Object.entries(ENTRIES)) surface[entry] = Object.keys(await load()).sort()
    await expect(`${JSON.stringify(surface, null, 2)}\n`).toMatchFileSnapshot('./entry-exports.json')
  })
})
