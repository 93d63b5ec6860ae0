import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Served = Record<string, { hash: string; tables: Record<string, number> }>

/**
 * A loopback server answering `/-/databases.json` and `/<db>.json` as Datasette does, from data
 * the test can change while it runs. `hold` makes it never answer (a target still starting).
 */
export async function serveDatasetteJson(initial: Served): Promise<{ url: string; data: Served; hits: () => number; hold: (on: boolean) => void; close: () => Promise<void> }> {
  const state = { data: initial, hits: 0, hold: false }
  const server: Server = createServer((req, res) => {
    state.hits++
    if (state.hold) return
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (path === '/-/databases.json') return send(200, Object.entries(state.data).map(([name, d]) => ({ name, hash: d.hash, is_memory: false })))
    const db = /^\/([^/]+)\.json$/.exec(path)?.[1]
    const found = db === undefined ? undefined : state.data[decodeURIComponent(db)]
    if (found === undefined) return send(404, { ok: false })
    return send(200, { database: db, tables: Object.entries(found.tables).map(([name, count]) => ({ name, count, hidden: false })).concat([{ name: 'sqlite_stat1', count: 9, hidden: true }]) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url,
    get data() {
      return state.data
    },
    set data(value: Served) {
      state.data = value
    },
    hits: () => state.hits,
    hold: (on) => void (state.hold = on),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
