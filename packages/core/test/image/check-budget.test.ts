import { describe, expect, it } from 'vitest'
import { analyzeLayers } from '../../src/image/analyze-layers.js'
import { assertWithinBudget, checkBudget } from '../../src/image/check-budget.js'
import type { ImageReport, LayerEntry, ParsedLayer } from '../../src/image/image-report.js'

const layer = (diffId: string, entries: Array<[string, number]>): ParsedLayer => ({
  diffId,
  digest: diffId,
  tarBytes: 0,
  compressedBytes: Math.round(entries.reduce((a, [, s]) => a + s, 0) / 2),
  compressedEstimated: true,
  entries: entries.map(([path, size]): LayerEntry => ({ path, type: 'file', size })),
})

function report(): ImageReport {
  const layers = [
    layer('sha256:base', [['usr/lib/python3.11/big.py', 40_000_000]]),
    layer('sha256:venv', [['opt/datasette/lib/python3.11/site-packages/pandas/_libs/x.so', 30_000_000], ['opt/datasette/lib/python3.11/site-packages/pandas/__pycache__/a.pyc', 12_000_000]]),
    layer('sha256:app', [['app/parks.db', 25_000_000], ['app/inspect-data.json', 1000]]),
  ]
  const history = [{ created_by: 'base' }, { created_by: 'COPY --from=builder /opt/datasette /opt/datasette' }, { created_by: 'COPY app/ /app/' }]
  return { format: 'docker-archive', ...analyzeLayers(layers, { history }, { baseDiffIds: ['sha256:base'] }) }
}

const limit = (value: number) => ({ value, source: 'test limit' })

describe('checkBudget', () => {
  it('finds nothing within the limits', () => {
    const r = report()
    expect(checkBudget(r, { imageBytes: limit(r.totalBytes), fileBytes: limit(40_000_000), bundleBytes: limit(r.compressedBytes) })).toEqual([])
  })

  it('attributes an over-size image to the recipe\'s layers and paths and says what brings it under', () => {
    const r = report()
    const [finding, ...rest] = checkBudget(r, { imageBytes: limit(100_000_000) })
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ limit: 'imageBytes', actual: 107_001_000, over: 7_001_000, allowed: 100_000_000 })
    expect(finding!.layers.map((l) => l.index)).toEqual([1, 2])
    expect(finding!.paths[0]).toMatchObject({ path: '/opt/datasette/lib/python3.11/site-packages/pandas/_libs/x.so', layer: 1 })
    const prune = finding!.suggestions.find((s) => s.change.startsWith('remove build leftovers'))
    expect(prune).toMatchObject({ saves: 12_000_000, enough: true })
    expect(finding!.suggestions.find((s) => s.change.includes('runtime base'))).toMatchObject({ saves: 40_000_000, enough: true })
    // the single largest file of the recipe covers 7 MB
    expect(finding!.suggestions.find((s) => s.change.startsWith('leave out'))!.change).toBe('leave out or shrink /opt/datasette/lib/python3.11/site-packages/pandas/_libs/x.so')
  })

  it('lists each file over the per-file limit with its layer', () => {
    const [finding] = checkBudget(report(), { fileBytes: limit(20_000_000) })
    expect(finding!.paths.map((p) => [p.path, p.layer])).toEqual([
      ['/usr/lib/python3.11/big.py', 0],
      ['/opt/datasette/lib/python3.11/site-packages/pandas/_libs/x.so', 1],
      ['/app/parks.db', 2],
    ])
    expect(finding!.suggestions[2]!.change).toMatch(/^split \/app\/parks\.db into databases under 20\.0 MB/)
  })

  it('checks the compressed size against bundleBytes', () => {
    const r = report()
    expect(checkBudget(r, { bundleBytes: limit(r.compressedBytes - 1) })).toMatchObject([{ limit: 'bundleBytes', over: 1 }])
  })

  it('throws IMAGE_OVER_BUDGET with the findings and a hint', () => {
    try {
      assertWithinBudget(report(), { imageBytes: limit(100_000_000) }, 'now')
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ code: 'IMAGE_OVER_BUDGET', provider: 'now', fault: 'user' })
      const e = error as { message: string; hint: string; details: { findings: unknown[] } }
      expect(e.message).toContain('imageBytes: 107.0 MB is 7.0 MB over the limit of 100.0 MB (test limit)')
      expect(e.message).toContain('layer 1 42.0 MB from COPY --from=builder')
      expect(e.hint).toContain('remove build leftovers (python-bytecode)')
      expect(e.details.findings).toHaveLength(1)
    }
  })
})
