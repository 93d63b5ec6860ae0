import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ProviderRegistry } from '../../src/provider/provider-registry.js'
import { pushSkipReason } from '../../src/provider/push-skip-reason.js'
import { runsEngineImages } from '../../src/provider/runs-engine-images.js'
import type { AnyProviderDefinition } from '../../src/contract/provider-types.js'

const make = (name: string, extra: Partial<AnyProviderDefinition> = {}) =>
  ({ name, apiVersion: 1, title: name, options: z.object({}), limits: {}, accepts: 'image', create: () => ({}) as never, ...extra }) as AnyProviderDefinition

describe('declared capabilities, not provider names', () => {
  it('skips the push for any provider that runs engine images, whatever it is called', () => {
    expect(pushSkipReason(make('dockerish', { capabilities: { runsEngineImages: true } }), true)).toBe('the engine that built the image runs it')
    expect(pushSkipReason(make('local'), true)).toBeUndefined()
    expect(pushSkipReason(make('pushy'), false)).toMatch(/runs images from the engine/)
  })

  it('reads the capability of the provider an export names, and says no for one not installed', async () => {
    const registry = new ProviderRegistry()
    registry.register(make('dockerish', { capabilities: { runsEngineImages: true } }))
    registry.register(make('cloudy'))
    expect(await runsEngineImages(registry, 'dockerish')).toBe(true)
    expect(await runsEngineImages(registry, 'cloudy')).toBe(false)
    expect(await runsEngineImages(registry, 'not-installed-anywhere')).toBe(false)
  })
})
