import { isHttpError, registerSecret, withRetry, type HttpClientFactory, type KitHttpClient } from '@datapub/core/kit'
import { createHerokuTransport } from './heroku-transport.js'
import { toHerokuError } from './to-heroku-error.js'

export { ACCEPT_V3 } from './heroku-transport.js'
export const ACCEPT_DOCKER_RELEASES = 'application/vnd.heroku+json; version=3.docker-releases'

export interface CallOptions {
  body?: unknown
  /** A `Range` here asks for that one page of a ranged list; without one every page is read. */
  headers?: Record<string, string>
  signal: AbortSignal
}

export interface HerokuApi {
  get<T>(path: string, options: CallOptions): Promise<T>
  post<T>(path: string, options: CallOptions): Promise<T>
  patch<T>(path: string, options: CallOptions): Promise<T>
  delete<T>(path: string, options: CallOptions): Promise<T>
}

export interface HerokuApiOptions {
  apiKey: string
  apiUrl?: string
  http: HttpClientFactory
  /** 429 retries; the bucket refills at about 75 calls a minute, so a few waits usually suffice. */
  retries?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** For tests: another transport. */
  transport?: KitHttpClient
}

const RETRY_GET_STATUS = new Set([500, 502, 503, 504])

/**
 * The Platform API with what heroku-client lacks: retries of 429 (the call was not processed, so
 * any method may be sent again) and of a 5xx to a GET, waiting what Retry-After says, and
 * Heroku's error ids mapped to coded errors.
 */
export function createHerokuApi(options: HerokuApiOptions): HerokuApi {
  registerSecret(options.apiKey)
  const transport = options.transport ?? createHerokuTransport({ apiKey: options.apiKey, http: options.http, ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }) })
  const call = async <T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, call: CallOptions): Promise<T> => {
    try {
      const response = await withRetry(
        () => transport.request<T>({ method, path, ...(call.body === undefined ? {} : { json: call.body }), ...(call.headers === undefined ? {} : { headers: call.headers }), signal: call.signal }),
        {
          retries: options.retries ?? 5,
          // An empty bucket refills at ~75 calls a minute: one token is back in under a second.
          minDelayMs: options.baseDelayMs ?? 1000,
          maxDelayMs: options.maxDelayMs ?? 60_000,
          signal: call.signal,
          retryable: (error) => isHttpError(error) && error.status !== undefined && (error.status === 429 || (method === 'GET' && RETRY_GET_STATUS.has(error.status))),
        },
      )
      return response.body
    } catch (error) {
      throw toHerokuError(error, method, path)
    }
  }
  return {
    get: (path, o) => call('GET', path, o),
    post: (path, o) => call('POST', path, o),
    patch: (path, o) => call('PATCH', path, o),
    delete: (path, o) => call('DELETE', path, o),
  }
}
