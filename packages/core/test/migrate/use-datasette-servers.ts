import { afterEach } from 'vitest'
import { serveDatasetteJson, type Served } from './serve-datasette-json.js'

/** A `serve` for the test file: every stand-in Datasette it starts is closed after each test. */
export function useDatasetteServers(): (data: Served) => ReturnType<typeof serveDatasetteJson> {
  const servers: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  return async (data) => {
    const s = await serveDatasetteJson(data)
    servers.push(s)
    return s
  }
}
