export interface ServedDatabaseInfo {
  name: string
  hash?: string | null
  is_memory?: boolean
}

/**
 * The database list of a `/-/databases.json` body: Datasette 0.x answers a bare array, the 1.0
 * alphas wrap it as `{"ok": true, "databases": [...]}`. Anything else is an empty list, so the
 * caller reports the databases as missing rather than crashing on a foreign body.
 */
export function servedDatabases(body: unknown): ServedDatabaseInfo[] {
  const list = Array.isArray(body) ? body : (body as { databases?: unknown } | null)?.databases
  return Array.isArray(list) ? list.filter((d): d is ServedDatabaseInfo => typeof (d as ServedDatabaseInfo | null)?.name === 'string') : []
}
