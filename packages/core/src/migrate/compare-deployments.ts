import { DatapubError } from '../errors/datapub-error.js'
import { servedDatabases } from '../publish/served-databases.js'

export interface ServedDatabase {
  hash: string | null
  tables: Record<string, number>
}

export interface DeploymentComparison {
  same: boolean
  /** One line per difference, e.g. `birds: table birds has 3 rows at the target, 2 at the source`. */
  differences: string[]
  source: Record<string, ServedDatabase>
  target: Record<string, ServedDatabase>
}

export interface CompareOptions {
  signal?: AbortSignal
  /** How long the target may take to start serving (it may still be rolling out). */
  timeoutMs?: number
  intervalMs?: number
  fetch?: typeof fetch
}

/**
 * Checks that two deployments serve the same data: the inspect hash of every database from
 * `/-/databases.json` and the row count of every table from `/<db>.json`. The target is polled
 * until it matches or the timeout passes; the last difference is returned, not thrown, so the
 * caller decides what a mismatch means.
 */
export async function compareDeployments(sourceUrl: string, targetUrl: string, options: CompareOptions = {}): Promise<DeploymentComparison> {
  const source = await servedData(sourceUrl, options)
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  for (;;) {
    let target: Record<string, ServedDatabase> = {}
    let differences: string[]
    try {
      target = await servedData(targetUrl, options)
      differences = diff(source, target)
    } catch (error) {
      if (options.signal?.aborted) throw error
      differences = [`the target did not answer: ${(error as Error).message}`]
    }
    if (differences.length === 0 || Date.now() >= deadline) return { same: differences.length === 0, differences, source, target }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000))
  }
}

function diff(source: Record<string, ServedDatabase>, target: Record<string, ServedDatabase>): string[] {
  const out: string[] = []
  for (const [name, want] of Object.entries(source)) {
    const got = target[name]
    if (got === undefined) {
      out.push(`database ${name} is missing at the target`)
      continue
    }
    if (want.hash !== got.hash) out.push(`${name}: hash ${short(got.hash)} at the target, ${short(want.hash)} at the source`)
    for (const [table, count] of Object.entries(want.tables)) {
      const other = got.tables[table]
      if (other === undefined) out.push(`${name}: table ${table} is missing at the target`)
      else if (other !== count) out.push(`${name}: table ${table} has ${other} rows at the target, ${count} at the source`)
    }
    for (const table of Object.keys(got.tables)) if (!(table in want.tables)) out.push(`${name}: table ${table} exists only at the target`)
  }
  for (const name of Object.keys(target)) if (!(name in source)) out.push(`database ${name} exists only at the target`)
  return out
}

async function servedData(url: string, options: CompareOptions): Promise<Record<string, ServedDatabase>> {
  const base = url.endsWith('/') ? url : `${url}/`
  const databases = servedDatabases(await getJson<unknown>(new URL('-/databases.json', base).href, options))
  const out: Record<string, ServedDatabase> = {}
  for (const db of databases) {
    if (db.is_memory === true || db.name === '_internal') continue
    const detail = await getJson<{ tables?: Array<{ name: string; count?: number | null; hidden?: boolean }> }>(new URL(`${encodeURIComponent(db.name)}.json`, base).href, options)
    out[db.name] = { hash: db.hash ?? null, tables: Object.fromEntries((detail.tables ?? []).filter((t) => t.hidden !== true).map((t) => [t.name, t.count ?? -1])) }
  }
  return out
}

async function getJson<T>(url: string, options: CompareOptions): Promise<T> {
  const doFetch = options.fetch ?? fetch
  const response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any([AbortSignal.timeout(15_000), ...(options.signal ? [options.signal] : [])]) })
  if (!response.ok) throw new DatapubError('HTTP_ERROR', `${url} answered ${response.status}.`, { fault: 'host', details: { url, status: response.status } })
  return (await response.json()) as T
}

function short(hash: string | null): string {
  return hash === null ? '(none)' : hash.slice(0, 12)
}
