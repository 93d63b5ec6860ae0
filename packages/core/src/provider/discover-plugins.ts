import { readFile, readdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface DiscoveredPlugin {
  /** The provider id the package name implies (`datapub-provider-folder` → `folder`). */
  id: string
  packageName: string
  version: string | undefined
  /** Where it is installed (the package folder, symlinks resolved). */
  dir: string
  /** Whose install it is in: the user's project (from `cwd` up) or datapub's own. */
  from: 'project' | 'datapub'
}

const PLUGIN = /^datapub-provider-([a-z0-9-]+)$/

/**
 * Installed `datapub-provider-*` and `@scope/datapub-provider-*` packages, found by reading the
 * node_modules folders Node would search from `cwd` and from datapub's own install. Nothing is
 * imported: listing plugins must not run their code.
 */
export async function discoverPlugins(cwd: string): Promise<DiscoveredPlugin[]> {
  const found = new Map<string, DiscoveredPlugin>()
  const own = path.dirname(fileURLToPath(import.meta.url))
  for (const [from, start] of [['project', cwd], ['datapub', own]] as const) {
    for (const modules of ancestors(start).map((dir) => path.join(dir, 'node_modules'))) {
      for (const name of await packageNames(modules)) {
        const match = PLUGIN.exec(name.replace(/^@[^/]+\//, ''))
        if (match === null || [...found.values()].some((p) => p.packageName === name)) continue
        const dir = await realpath(path.join(modules, name)).catch(() => undefined)
        if (dir === undefined || found.has(dir)) continue
        const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').then((text) => JSON.parse(text) as { version?: string }, () => undefined)
        if (pkg === undefined) continue
        found.set(dir, { id: match[1] as string, packageName: name, version: pkg.version, dir, from })
      }
    }
  }
  return [...found.values()].sort((a, b) => a.packageName.localeCompare(b.packageName))
}

function ancestors(start: string): string[] {
  const out: string[] = []
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') out.push(dir)
    if (dir === path.dirname(dir)) return out
  }
}

async function packageNames(modules: string): Promise<string[]> {
  const entries = await readdir(modules).catch(() => [] as string[])
  const names: string[] = []
  for (const entry of entries) {
    if (entry.startsWith('@')) names.push(...(await readdir(path.join(modules, entry)).catch(() => [] as string[])).map((child) => `${entry}/${child}`))
    else names.push(entry)
  }
  return names.filter((name) => PLUGIN.test(name.replace(/^@[^/]+\//, '')))
}
