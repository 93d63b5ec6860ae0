import type { DatapubError } from '../../src/errors/datapub-error.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ProviderRegistry, pluginCandidates } from '../../src/provider/provider-registry.js'
import { defineProvider } from '../../src/provider/define-provider.js'
import type { AnyProviderDefinition } from '../../src/contract/provider-types.js'

const ops = {
  checkAuth: async () => ({}),
  deploy: async () => ({ provider: 'x', id: 'x', name: 'x', url: 'http://x/' }),
  status: async () => ({ id: 'x', name: 'x', state: 'ready' }),
  list: async () => [],
  destroy: async () => {},
  rollback: async () => ({ provider: 'x', id: 'x', name: 'x', url: 'http://x/' }),
  export: async () => ({ schema: 'datapub.deployment/v1' as const, provider: 'x', id: 'x', name: 'x', options: {}, envNames: [] }),
}
const make = (name: string, extra: Partial<AnyProviderDefinition> = {}) =>
  ({ name, apiVersion: 1, title: name, options: z.object({}), limits: {}, accepts: 'context', create: () => ops, ...extra }) as AnyProviderDefinition

describe('defineProvider', () => {
  it('accepts a well-formed provider and freezes it', () => {
    const p = defineProvider(make('acme'))
    expect(Object.isFrozen(p)).toBe(true)
  })

  it.each([
    [{ name: 'Bad Name' }, 'PROVIDER_INVALID', 'kebab-case'],
    [{ apiVersion: 2 as never }, 'PROVIDER_API_VERSION', 'version 2'],
    [{ title: '' }, 'PROVIDER_INVALID', 'title'],
    [{ options: { parse: () => ({}) } as never }, 'PROVIDER_INVALID', 'zod object'],
    [{ accepts: 'zip' as never }, 'PROVIDER_INVALID', 'accepts'],
    [{ create: undefined as never }, 'PROVIDER_INVALID', 'create'],
    [{ limits: undefined as never }, 'PROVIDER_INVALID', 'limits'],
  ])('refuses %j with a coded error', (extra, code, text) => {
    expect(() => defineProvider(make('acme', extra))).toThrow(expect.objectContaining({ code, message: expect.stringContaining(text) }))
  })
})

describe('ProviderRegistry', () => {
  it('lists built-ins without importing any provider', async () => {
    const imported: string[] = []
    const registry = new ProviderRegistry({ importModule: async (s) => (imported.push(s), {}) })
    expect(registry.known().map((p) => p.name)).toEqual(['cloudrun', 'fly', 'heroku', 'local', 'now', 'vercel'])
    expect(imported).toEqual([])
  })

  it('loads a built-in lazily, once, and picks the provider by name from a package of several', async () => {
    const imported: string[] = []
    const now = make('now')
    const vercel = make('vercel')
    const registry = new ProviderRegistry({ importModule: async (s) => (imported.push(s), { default: now, providers: [now, vercel] }) })
    expect(await registry.get('vercel')).toBe(vercel)
    expect(await registry.get('vercel')).toBe(vercel)
    expect(await registry.get('now')).toBe(now)
    expect(imported).toEqual(['@datapub/provider-now'])
  })

  it('resolves plugin names to datapub-provider packages', () => {
    expect(pluginCandidates('fly')).toEqual(['datapub-provider-fly'])
    expect(pluginCandidates('datapub-provider-fly')).toEqual(['datapub-provider-fly'])
    expect(pluginCandidates('@acme/datapub-provider-fly')).toEqual(['@acme/datapub-provider-fly'])
    expect(pluginCandidates('./my-provider.js')).toEqual(['./my-provider.js'])
    expect(pluginCandidates('lodash/fp')).toEqual([])
    expect(pluginCandidates('Fly!')).toEqual([])
  })

  it('reports a missing plugin without telling anyone to install a package named after what was typed', async () => {
    const registry = new ProviderRegistry({ importModule: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ERR_MODULE_NOT_FOUND' })) })
    const missing = (await registry.get('zzqqxx').catch((e: unknown) => e)) as DatapubError
    expect(missing).toMatchObject({ code: 'PROVIDER_NOT_FOUND', hint: expect.stringContaining('datapub providers') })
    expect(missing.hint).not.toMatch(/install datapub-provider-zzqqxx/)
    await expect(registry.get('not a provider')).rejects.toMatchObject({ code: 'PROVIDER_NOT_FOUND' })
  })

  it('suggests the closest installed provider for a typo', async () => {
    const registry = new ProviderRegistry({ importModule: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ERR_MODULE_NOT_FOUND' })) })
    const typo = (await registry.get('cloudrn').catch((e: unknown) => e)) as DatapubError
    expect(typo).toMatchObject({ code: 'PROVIDER_NOT_FOUND', message: 'No provider "cloudrn". Did you mean "cloudrun"?', details: { suggestion: 'cloudrun' } })
    expect(`${typo.message} ${typo.hint}`).not.toMatch(/npm install/)
  })

  it('reports a plugin that exports nothing usable, or fails to load, as PROVIDER_INVALID', async () => {
    await expect(new ProviderRegistry({ importModule: async () => ({ something: 1 }) }).get('fly')).rejects.toMatchObject({ code: 'PROVIDER_INVALID' })
    await expect(new ProviderRegistry({ importModule: async () => ({ default: { name: 'fly' } }) }).get('fly')).rejects.toMatchObject({ code: 'PROVIDER_INVALID' })
    await expect(new ProviderRegistry({ importModule: async () => Promise.reject(new SyntaxError('Unexpected token')) }).get('fly')).rejects.toMatchObject({ code: 'PROVIDER_INVALID', message: expect.stringContaining('Unexpected token') })
  })

  it('refuses two different providers under one name', () => {
    const registry = new ProviderRegistry().register(make('acme'))
    expect(() => registry.register(make('acme'))).toThrow(expect.objectContaining({ code: 'PROVIDER_DUPLICATE' }))
  })

  it('retries a load that failed instead of caching the failure', async () => {
    let calls = 0
    const registry = new ProviderRegistry({ importModule: async () => (++calls === 1 ? Promise.reject(Object.assign(new Error('x'), { code: 'ERR_MODULE_NOT_FOUND' })) : { default: make('fly') }) })
    await expect(registry.get('fly')).rejects.toMatchObject({ code: 'PROVIDER_NOT_FOUND' })
    expect((await registry.get('fly')).name).toBe('fly')
  })
})
