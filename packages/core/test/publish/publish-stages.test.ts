import { describe, expect, it } from 'vitest'
import { STAGES } from '../../src/contract/publish-event.js'
import { PUBLISH_STAGES } from '../../src/publish/stages/publish-stages.js'
import { skipReason } from '../../src/publish/stages/skip-reason.js'
import { createTestSpec } from '../../src/testing/create-test-spec.js'
import type { AnyProviderDefinition } from '../../src/contract/provider-types.js'

const host = (extra: Partial<AnyProviderDefinition>) => ({ name: 'h', apiVersion: 1, title: 'Host', limits: {}, accepts: 'image', ...extra }) as AnyProviderDefinition

describe('the pipeline as values', () => {
  it('is the contract stage list, in order, every value able to plan and run', () => {
    expect(PUBLISH_STAGES.map((s) => s.name)).toEqual([...STAGES])
    const input = { spec: createTestSpec('birds'), definition: host({}), accepts: 'image' as const, append: undefined, tabular: 1, databases: ['data'] }
    for (const value of PUBLISH_STAGES) {
      expect(typeof value.run, value.name).toBe('function')
      expect(value.plan(input), value.name).toEqual(expect.any(String))
    }
  })

  it('decides the skips of an engine-run image host by its capability', () => {
    const facts = { definition: host({ capabilities: { runsEngineImages: true } }), accepts: 'image' as const, generate: false, verify: true, pushes: false, append: false }
    expect(STAGES.map((s) => skipReason(s, facts))).toEqual([undefined, undefined, undefined, undefined, 'Host sets no size limits', 'the engine that built the image runs it', undefined, undefined])
  })
})
