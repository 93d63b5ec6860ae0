import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { DatapubError } from '../errors/datapub-error.js'
import { assertProviderShape } from './assert-provider-shape.js'
import type { AnyProviderDefinition } from '../contract/provider-types.js'

export type ImportModule = (specifier: string) => Promise<Record<string, unknown>>

/**
 * Imports the first candidate that resolves and returns every provider it exports (a package may
 * hold several, like provider-now's `now` and `vercel`). Packages resolve from `cwd` first, so a
 * plugin installed in the user's project is found, then from datapub's own install.
 */
export async function loadProviderModule(candidates: string[], spec: string, cwd: string | undefined, importModule: ImportModule = (s) => import(s)): Promise<AnyProviderDefinition[]> {
  let lastError: unknown
  for (const candidate of candidates) {
    // Built-ins (cwd undefined) import by bare name: they are datapub's own dependencies.
    const specifier = cwd === undefined ? candidate : resolveSpecifier(candidate, cwd)
    let mod: Record<string, unknown>
    try {
      mod = await importModule(specifier)
    } catch (error) {
      lastError = error
      if (isNotFound(error)) continue
      throw new DatapubError('PROVIDER_INVALID', `The provider module ${candidate} failed to load: ${(error as Error).message}`, {
        cause: error,
        fault: 'user',
        hint: 'Reinstall the provider package; if it is yours, check that it imports only @datapub/core/kit.',
      })
    }
    const found = new Set<AnyProviderDefinition>()
    for (const [key, value] of Object.entries(mod)) {
      if (key !== 'default' && key !== 'provider' && key !== 'providers' && !looksLikeProvider(value)) continue
      for (const item of Array.isArray(value) ? value : [value]) {
        if (key === 'default' || key === 'provider' || key === 'providers' || looksLikeProvider(item)) {
          assertProviderShape(item, candidate)
          found.add(item)
        }
      }
    }
    if (found.size === 0) {
      throw new DatapubError('PROVIDER_INVALID', `${candidate} exports no provider.`, {
        fault: 'user',
        hint: 'Export the defineProvider() value as default (or as `provider`).',
      })
    }
    return [...found]
  }
  throw new DatapubError('PROVIDER_NOT_FOUND', `No provider "${spec}" is installed (looked for ${candidates.join(', ')}).`, {
    cause: lastError,
    // Never "npm install <what was typed>": a typo would name a stranger's package.
    hint: spec.startsWith('.') || spec.startsWith('/') ? 'Check the path.' : '`datapub providers` lists what is installed; a plugin is a package named datapub-provider-<id>.',
  })
}

function looksLikeProvider(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'apiVersion' in value && 'create' in value
}

function resolveSpecifier(candidate: string, cwd: string): string {
  if (candidate.startsWith('.') || path.isAbsolute(candidate)) return pathToFileURL(path.resolve(cwd, candidate)).href
  for (const base of [path.join(cwd, 'noop.js'), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(base).resolve(candidate)).href
    } catch {
      // ESM-only packages without a require condition still import by bare name below.
    }
  }
  return candidate
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
}
