import { DatapubError } from '../errors/datapub-error.js'
import { assertProviderShape } from './assert-provider-shape.js'
import { BUILTIN_PROVIDERS } from './builtin-providers.js'
import { loadProviderModule, type ImportModule } from './load-provider-module.js'
import { discoverPlugins, type DiscoveredPlugin } from './discover-plugins.js'
import { didYouMean } from '../errors/did-you-mean.js'
import { isDatapubError } from '../errors/datapub-error.js'
import type { AnyProviderDefinition } from '../contract/provider-types.js'

export interface ProviderRegistryOptions {
  /** Resolves package names and paths relative to this directory (a plugin installed in the user's project). */
  cwd?: string
  /** Replaceable for tests; defaults to dynamic import(). */
  importModule?: ImportModule
}

/**
 * Providers by name: registered values first, then built-ins, then plugin packages
 * (`datapub-provider-<id>`, `@scope/datapub-provider-<id>`) or paths. Loading is lazy and cached.
 */
export class ProviderRegistry {
  private readonly registered = new Map<string, AnyProviderDefinition>()
  private readonly loading = new Map<string, Promise<AnyProviderDefinition>>()

  constructor(private readonly options: ProviderRegistryOptions = {}) {}

  register(provider: AnyProviderDefinition): this {
    assertProviderShape(provider, 'register()')
    const existing = this.registered.get(provider.name)
    if (existing !== undefined && existing !== provider) {
      throw new DatapubError('PROVIDER_DUPLICATE', `Two different providers are named "${provider.name}".`, {
        hint: 'Uninstall or rename one of them; provider names must be unique.',
      })
    }
    this.registered.set(provider.name, provider)
    return this
  }

  /** Names of providers known without loading anything: registered plus built-in. */
  known(): Array<{ name: string; title: string; source: string }> {
    const out = new Map<string, { name: string; title: string; source: string }>()
    for (const [name, b] of Object.entries(BUILTIN_PROVIDERS)) out.set(name, { name, title: b.title, source: b.packageName })
    for (const p of this.registered.values()) out.set(p.name, { name: p.name, title: p.title, source: 'registered' })
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Installed `datapub-provider-*` packages (from the project, then datapub's install), without importing them. */
  plugins(): Promise<DiscoveredPlugin[]> {
    return discoverPlugins(this.options.cwd ?? process.cwd())
  }

  /** Resolves a provider by id (`local`), plugin package name or path (`./my-provider.js`). */
  async get(spec: string | AnyProviderDefinition): Promise<AnyProviderDefinition> {
    if (typeof spec !== 'string') return this.register(spec), spec
    const registered = this.registered.get(spec)
    if (registered !== undefined) return registered
    let pending = this.loading.get(spec)
    if (pending === undefined) {
      pending = this.load(spec)
      this.loading.set(spec, pending)
      pending.catch(() => this.loading.delete(spec))
    }
    return pending
  }

  private async load(spec: string): Promise<AnyProviderDefinition> {
    try {
      return await this.loadOnce(spec)
    } catch (error) {
      if (!isDatapubError(error) || error.code !== 'PROVIDER_NOT_FOUND' || spec.includes('/')) throw error
      const names = [...this.known().map((p) => p.name), ...(await this.plugins()).map((p) => p.id)]
      const guess = didYouMean(spec.replace(/^datapub-provider-/, ''), names)
      if (guess === undefined) throw error
      throw new DatapubError('PROVIDER_NOT_FOUND', `No provider "${spec}". Did you mean "${guess}"?`, { cause: error, hint: `Installed: ${[...new Set(names)].join(', ')}.`, details: { suggestion: guess } })
    }
  }

  private async loadOnce(spec: string): Promise<AnyProviderDefinition> {
    const builtin = BUILTIN_PROVIDERS[spec]
    const candidates = builtin !== undefined ? [builtin.packageName] : pluginCandidates(spec)
    if (candidates.length === 0) {
      throw new DatapubError('PROVIDER_NOT_FOUND', `"${spec}" is not a provider name, plugin package or path.`, {
        hint: `Use one of: ${Object.keys(BUILTIN_PROVIDERS).join(', ')}; a plugin package (datapub-provider-<id>); or a path starting with ./`,
      })
    }
    const providers = await loadProviderModule(candidates, spec, builtin !== undefined ? undefined : (this.options.cwd ?? process.cwd()), this.options.importModule)
    const id = spec.replace(/^(@[^/]+\/)?datapub-provider-/, '')
    const wanted = providers.find((p) => p.name === id) ?? (builtin === undefined && providers.length === 1 ? providers[0] : undefined)
    if (wanted === undefined) {
      throw new DatapubError('PROVIDER_NOT_FOUND', `The package for "${spec}" does not export a provider named "${spec}" (it exports ${providers.map((p) => p.name).join(', ')}).`, {
        hint: 'Check the provider name; `datapub providers` lists what is installed.',
      })
    }
    for (const p of providers) if (p !== wanted && !this.registered.has(p.name)) this.registered.set(p.name, p)
    return this.register(wanted), wanted
  }
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
function isPlainId(spec: string): boolean {
  return ID.test(spec)
}

/** Which module specifiers to try for a name that is not built in. */
export function pluginCandidates(spec: string): string[] {
  if (spec.startsWith('.') || spec.startsWith('/') || /^[A-Za-z]:[\\/]/.test(spec)) return [spec]
  if (/^datapub-provider-[a-z0-9-]+$/.test(spec)) return [spec]
  if (isPlainId(spec)) return [`datapub-provider-${spec}`]
  if (/^@[a-z0-9][a-z0-9._-]*\/datapub-provider-[a-z0-9-]+$/.test(spec)) return [spec]
  return []
}
