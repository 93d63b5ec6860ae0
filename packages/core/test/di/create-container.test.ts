import { describe, expect, it } from 'vitest'
import { createContainer } from '../../src/di/create-container.js'
import { Tokens } from '../../src/di/tokens.js'
import { ProviderRegistry } from '../../src/provider/provider-registry.js'

describe('createContainer', () => {
  it('provides defaults and lets any service be replaced', async () => {
    const registry = new ProviderRegistry()
    const c = createContainer({ Env: { A: '1' }, ProviderRegistry: registry })
    expect(c.resolve(Tokens.Env)).toEqual({ A: '1' })
    expect(c.resolve(Tokens.ProviderRegistry)).toBe(registry)
    expect(typeof c.resolve(Tokens.HttpClientFactory)).toBe('function')
    expect(typeof c.resolve(Tokens.Pipeline).csvsToSqlite).toBe('function')
  })

  it('makes one instance per container and isolates children', () => {
    const c = createContainer()
    expect(c.resolve(Tokens.ProviderRegistry)).toBe(c.resolve(Tokens.ProviderRegistry))
    const child = c.createChild()
    const other = createContainer()
    expect(other.resolve(Tokens.ProviderRegistry)).not.toBe(c.resolve(Tokens.ProviderRegistry))
    expect(child.resolve(Tokens.Clock)).toBe(c.resolve(Tokens.Clock))
  })

  it('connects to the engine lazily and retries after a failure', async () => {
    const c = createContainer({ Env: { DOCKER_HOST: 'unix:///nonexistent.sock' } })
    const factory = c.resolve(Tokens.EngineFactory)
    await expect(factory()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' })
    await expect(factory()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' })
  })
})
