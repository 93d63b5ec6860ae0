import { describe, expect, it } from 'vitest'
import { compareDeployments } from '../../src/migrate/index.js'
import { useDatasetteServers } from './use-datasette-servers.js'

const serve = useDatasetteServers()

describe('compareDeployments', () => {
  it('passes when hashes and visible row counts agree', async () => {
    const a = await serve({ birds: { hash: 'h1', tables: { birds: 2, nests: 5 } } })
    const b = await serve({ birds: { hash: 'h1', tables: { birds: 2, nests: 5 } } })
    const result = await compareDeployments(a.url, b.url, { timeoutMs: 0 })
    expect(result).toMatchObject({ same: true, differences: [] })
    expect(result.target.birds?.tables).toEqual({ birds: 2, nests: 5 })
  })

  it('reports every difference: hash, row counts, missing and extra tables and databases', async () => {
    const a = await serve({ birds: { hash: 'aaaaaaaaaaaa1', tables: { birds: 2, nests: 5 } }, fish: { hash: 'f', tables: {} } })
    const b = await serve({ birds: { hash: 'bbbbbbbbbbbb2', tables: { birds: 3, eggs: 1 } }, moths: { hash: 'm', tables: {} } })
    const result = await compareDeployments(a.url, b.url, { timeoutMs: 0 })
    expect(result.same).toBe(false)
    expect(result.differences).toEqual([
      'birds: hash bbbbbbbbbbbb at the target, aaaaaaaaaaaa at the source',
      'birds: table birds has 3 rows at the target, 2 at the source',
      'birds: table nests is missing at the target',
      'birds: table eggs exists only at the target',
      'database fish is missing at the target',
      'database moths exists only at the target',
    ])
  })

  it('keeps polling a target that is still rolling out', async () => {
    const a = await serve({ birds: { hash: 'h1', tables: { birds: 2 } } })
    const b = await serve({ birds: { hash: 'old', tables: { birds: 1 } } })
    setTimeout(() => (b.data = { birds: { hash: 'h1', tables: { birds: 2 } } }), 150)
    const result = await compareDeployments(a.url, b.url, { timeoutMs: 5000, intervalMs: 50 })
    expect(result.same).toBe(true)
  })
})
