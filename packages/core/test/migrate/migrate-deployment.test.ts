import { describe, expect, it } from 'vitest'
import { migrateDeployment } from '../../src/migrate/index.js'
import { fakeHosts, keptContext } from './fake-providers.js'
import { useDatasetteServers } from './use-datasette-servers.js'

const SECRET = 'sentinel-migrate-secret-0a1'
const serve = useDatasetteServers()
const BIRDS = { birds: { hash: 'h-birds-1', tables: { birds: 2 } } }

describe('migrateDeployment', () => {
  it('plans by default: every step, nothing changed', async () => {
    const src = await serve(BIRDS)
    const hosts = fakeHosts({ birds: src.url }, {})
    const result = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt' }, sourcesDir: await keptContext(), switch: true, container: hosts.container() })
    expect(result.kind).toBe('planned')
    expect(result.plan.steps.map((s) => [s.step, s.skip ?? false])).toEqual([
      ['export', false],
      ['secrets', false],
      ['import', false],
      ['verify', false],
      ['switch', true],
      ['destroy-source', true],
    ])
    expect(result.plan.steps.find((s) => s.step === 'switch')?.action).toContain('has no alias or traffic operation')
    expect(result.plan.problems).toEqual([])
    expect(hosts.calls.deploy).toEqual([])
  })

  it('a dry run lists what blocks the migration: a missing secret, no inputs, a bad name', async () => {
    const hosts = fakeHosts({}, {})
    const result = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt', name: 'Bad_Name' }, container: hosts.container({}) })
    expect(result.plan.problems).toEqual([
      expect.stringContaining('name "Bad_Name" does not match'),
      expect.stringContaining('no value for DATASETTE_SECRET'),
      expect.stringContaining('cannot import: the export has no recorded input files'),
    ])
  })

  it('applies: imports with the secret, verifies, leaves the source alone', async () => {
    const src = await serve(BIRDS)
    const dst = await serve(BIRDS)
    const hosts = fakeHosts({ birds: src.url }, { birds: dst.url })
    const steps: string[] = []
    const result = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt' }, apply: true, sourcesDir: await keptContext(), container: hosts.container(), onStep: (s, state) => steps.push(`${s}:${state}`) })
    expect(result).toMatchObject({ kind: 'migrated', deployment: { url: dst.url }, importPath: 'rebuild-context', comparison: { same: true }, sourceDestroyed: false })
    expect(hosts.calls.deploy).toEqual([{ name: 'birds', env: { DATASETTE_SECRET: SECRET }, kind: 'context' }])
    expect(hosts.calls.destroy).toEqual([])
    expect(steps).toEqual(['export:start', 'export:done', 'import:start', 'import:done', 'verify:start', 'verify:done'])
  })

  it('a failed verification leaves the source serving and reports the difference', async () => {
    const src = await serve(BIRDS)
    const dst = await serve({ birds: { hash: 'h-birds-1', tables: { birds: 1 } } })
    const hosts = fakeHosts({ birds: src.url }, { birds: dst.url })
    const error = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt' }, apply: true, destroySource: true, verifyTimeoutMs: 200, sourcesDir: await keptContext(), container: hosts.container() }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'MIGRATE_VERIFY_MISMATCH', details: { source: src.url, target: dst.url, differences: ['birds: table birds has 1 rows at the target, 2 at the source'] } })
    expect((error as Error).message).toContain('has 1 rows at the target, 2 at the source')
    expect(hosts.calls.destroy).toEqual([])
    const still = await fetch(new URL('birds.json', src.url))
    expect(((await still.json()) as { tables: Array<{ count: number }> }).tables[0]?.count).toBe(2)
  })

  it('destroys the source only after verification passed', async () => {
    const src = await serve(BIRDS)
    const dst = await serve(BIRDS)
    const hosts = fakeHosts({ birds: src.url }, { birds: dst.url })
    const result = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt' }, apply: true, destroySource: true, sourcesDir: await keptContext(), container: hosts.container() })
    expect(result).toMatchObject({ kind: 'migrated', sourceDestroyed: true })
    expect(hosts.calls.destroy).toEqual(['birds'])
  })

  it('a missing secret fails before any change, naming the variable', async () => {
    const src = await serve(BIRDS)
    const hosts = fakeHosts({ birds: src.url }, { birds: src.url })
    const error = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt' }, apply: true, sourcesDir: await keptContext(), container: hosts.container({}) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'MIGRATE_SECRET_MISSING', details: { missing: ['DATASETTE_SECRET'] } })
    expect(hosts.calls.deploy).toEqual([])
  })

  it("refuses the target's bad flags before the source is exported", async () => {
    const hosts = fakeHosts({}, {})
    const error = await migrateDeployment({ from: { provider: 'fakesrc', id: 'birds' }, to: { provider: 'faketgt', providerOptions: { regoin: 'us' } }, container: hosts.container() }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: expect.stringMatching(/^(CONFIG_INVALID|OPTIONS_INVALID)$/), message: expect.stringContaining('regoin') })
    expect(hosts.calls.export).toEqual([])
  })
})
