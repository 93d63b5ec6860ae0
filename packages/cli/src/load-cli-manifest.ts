import type { CliManifest } from './cli-manifest.js'

let cached: CliManifest | undefined

/** Reads dist/cli-manifest.json; from sources (tests, dev) it is computed instead. */
export async function loadCliManifest(): Promise<CliManifest> {
  if (cached) return cached
  try {
    const { readFile } = await import('node:fs/promises')
    cached = JSON.parse(await readFile(new URL('./cli-manifest.json', import.meta.url), 'utf8')) as CliManifest
  } catch {
    const { computeCliManifest } = await import('./compute-cli-manifest.js')
    cached = await computeCliManifest()
  }
  return cached
}
