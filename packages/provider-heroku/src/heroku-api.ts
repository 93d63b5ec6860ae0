import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import Heroku from 'heroku-client'
import { DatapubError, registerSecret } from '@datapub/core/kit'
import { sendOnce } from './send-once.js'
import { sleep } from './sleep.js'
import { toHerokuError, type HerokuClientError } from './to-heroku-error.js'

export const ACCEPT_V3 = 'application/vnd.heroku+json; version=3'
export const ACCEPT_DOCKER_RELEASES = 'application/vnd.heroku+json; version=3.docker-releases'

export interface CallOptions {
  body?: unknown
  headers?: Record<string, string>
  /** Stop at the first page of a ranged list (heroku-client otherwise follows Next-Range). */
  partial?: boolean
  signal?: AbortSignal
}

export interface HerokuApi {
  get<T>(path: string, options?: CallOptions): Promise<T>
  post<T>(path: string, options?: CallOptions): Promise<T>
  patch<T>(path: string, options?: CallOptions): Promise<T>
  delete<T>(path: string, options?: CallOptions): Promise<T>
}

export interface HerokuApiOptions {
  apiKey: string
  apiUrl?: string
  signal: AbortSignal
  /** 429 retries; the bucket refills at about 75 calls a minute, so a few waits usually suffice. */
  retries?: number
  baseDelayMs?: number
  maxDelayMs?: number
}

const RETRY_GET_STATUS = new Set([500, 502, 503, 504])

/**
 * heroku-client with what it lacks: it never retries a 429 or a 5xx answer, and it knows no
 * AbortSignal. A 429 means the call was not processed, so any method may be sent again; a 5xx is
 * retried only for GET. Waits honour Retry-After, and RateLimit-Remaining: 0 waits a refill.
 */
export function createHerokuApi(options: HerokuApiOptions): HerokuApi {
  registerSecret(options.apiKey)
  const client = new Heroku({ token: options.apiKey, ...(options.apiUrl === undefined ? {} : { host: options.apiUrl }), timeout: 60_000 })
  const retries = options.retries ?? 5
  const base = options.baseDelayMs ?? 1000
  const max = options.maxDelayMs ?? 60_000

  const call = async <T>(method: string, path: string, call: CallOptions = {}): Promise<T> => {
    const signal = call.signal ?? options.signal
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new DatapubError('ABORTED', `Cancelled before ${method} ${path}.`)
      let headers: IncomingHttpHeaders = {}
      try {
        const request = {
          method,
          path,
          ...(call.body === undefined ? {} : { body: call.body }),
          ...(call.headers === undefined ? {} : { headers: call.headers }),
          ...(call.partial === true ? { partial: true } : {}),
          middleware: (response: IncomingMessage, next: () => void) => {
            headers = response.headers
            next()
          },
        }
        // Writes go out once: heroku-client would resend them blindly after a network error.
        return await (method === 'GET' ? client.request<T>(request) : sendOnce<T>(client, request))
      } catch (error) {
        const status = (error as HerokuClientError).statusCode
        const retryable = status === 429 || (method === 'GET' && status !== undefined && RETRY_GET_STATUS.has(status))
        if (!retryable || attempt >= retries) throw toHerokuError(error, method, path)
        await sleep(waitMs(attempt, headers, base, max), signal)
      }
    }
  }
  return {
    get: (path, o) => call('GET', path, o),
    post: (path, o) => call('POST', path, o),
    patch: (path, o) => call('PATCH', path, o),
    delete: (path, o) => call('DELETE', path, o),
  }
}

function waitMs(attempt: number, headers: IncomingHttpHeaders, base: number, max: number): number {
  const retryAfter = headers['retry-after']
  if (typeof retryAfter === 'string') {
    const seconds = Number(retryAfter)
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, max)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.min(Math.max(date - Date.now(), 0), max)
  }
  // An empty bucket refills at ~75 calls a minute: one token is back in under a second.
  const floor = headers['ratelimit-remaining'] === '0' ? Math.max(base, 800) : 0
  const ceiling = Math.min(base * 2 ** attempt, max)
  return Math.max(floor, Math.round(ceiling / 2 + Math.random() * (ceiling / 2)))
}
