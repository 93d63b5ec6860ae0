import type { Nock } from '../../helpers/http-mock.js'

/**
 * Makes a nock'd host URL serve what `backend()` serves: `/-/databases.json` and `/<db>.json`,
 * fetched from a real deployment at request time. Lets a mocked host "run" a real image.
 */
export function serveAs(n: Nock, url: string, databases: string[], backend: () => Promise<string>, options: { alter?: (path: string, body: unknown) => unknown; persist?: boolean } = {}): void {
  const scope = n(new URL(url).origin)
  for (const path of ['/-/databases.json', ...databases.map((d) => `/${d}.json`)]) {
    const interceptor = scope.get(path)
    if (options.persist) scope.persist()
    interceptor.reply(async () => {
      const response = await fetch(new URL(path.slice(1), await backend()))
      const body = (await response.json()) as unknown
      return [response.status, JSON.stringify(options.alter ? options.alter(path, body) : body), { 'content-type': 'application/json' }]
    })
  }
}
