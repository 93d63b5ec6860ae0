import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import Heroku from 'heroku-client'
import { abortable, createHttpError, createKitHttpClient, isDatapubError, type HttpClientFactory, type HttpRequest, type HttpResponse, type KitHttpClient, type QueryValue } from '@datapub/core/kit'

export const HEROKU_API = 'https://api.heroku.com'
export const ACCEPT_V3 = 'application/vnd.heroku+json; version=3'
const DEFAULT_RANGE = 'id ..; max=1000'
const TIMEOUT_MS = 60_000

export interface HerokuTransportOptions {
  apiKey: string
  apiUrl?: string
  http: HttpClientFactory
}

/**
 * The Platform API behind the kit's HTTP boundary, as the Heroku CLI's client speaks it (Basic
 * `:key`, the v3 Accept, JSON, a Range on every call). Reads go through heroku-client, which
 * follows Next-Range over ranged lists; a Range of the caller's asks for that one page. Writes go
 * through core's client, which sends them once: heroku-client resends any request after a
 * connection error, POST included, and for a write whose answer was lost that repeats it blindly
 * (a second build, or "name already taken" for the app just created).
 */
export function createHerokuTransport(options: HerokuTransportOptions): KitHttpClient {
  // heroku-client takes only scheme, host and port from its host option; writes use the same origin.
  const base = new URL(options.apiUrl ?? HEROKU_API).origin
  const reads = new Heroku({ token: options.apiKey, host: base, timeout: TIMEOUT_MS })
  const writes = createKitHttpClient(options.http, { baseURL: base, auth: { scheme: 'basic', username: '', password: options.apiKey }, provider: 'heroku', timeoutMs: TIMEOUT_MS, retry: { retries: 0 } })
  return {
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      const headers: Record<string, string> = { Accept: ACCEPT_V3, 'Content-Type': 'application/json', Range: DEFAULT_RANGE, ...request.headers }
      if (request.method !== 'GET') return writes.request<T>({ ...request, headers })
      const path = withQuery(request.path, request.query)
      const deadline = new AbortController()
      const timeoutMs = request.timeoutMs ?? TIMEOUT_MS
      const timer = setTimeout(() => deadline.abort(createHttpError({ method: 'GET', url: `${base}${path}`, provider: 'heroku', networkCode: 'ETIMEDOUT' })), timeoutMs)
      timer.unref?.()
      let answered: IncomingMessage | undefined
      const call = reads.request<T>({
        method: 'GET',
        path,
        headers,
        ...(request.headers?.Range !== undefined || request.headers?.range !== undefined ? { partial: true } : {}),
        middleware: (response: IncomingMessage, next: () => void) => {
          answered = response
          next()
        },
      })
      try {
        const body = await abortable(call, AbortSignal.any([deadline.signal, ...(request.signal === undefined ? [] : [request.signal])]))
        return { status: answered?.statusCode ?? 200, headers: plain(answered?.headers), body }
      } catch (error) {
        if (isDatapubError(error)) throw error
        const failed = error as { statusCode?: number; body?: unknown; code?: string; message?: string }
        throw createHttpError({
          method: 'GET',
          url: `${base}${path}`,
          provider: 'heroku',
          cause: error,
          ...(failed.statusCode === undefined
            ? { ...(failed.code === undefined ? {} : { networkCode: failed.code }), ...(failed.message === undefined ? {} : { networkMessage: failed.message }) }
            : { status: failed.statusCode, headers: plain(answered?.headers), body: failed.body }),
        })
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  const entries = Object.entries(query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
  return entries.length === 0 ? path : `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
}

function plain(headers: IncomingHttpHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  return out
}
