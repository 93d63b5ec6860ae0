import { PassThrough, type Readable } from 'node:stream'
import type { AxiosRequestConfig } from 'axios'
import { abortedError } from '../async/aborted-error.js'
import type { HttpClientFactory, HttpClientOptions } from '../contract/http-client-factory.js'
import { plainHeaders } from './create-http-client.js'
import { HttpError, type HttpResponse } from './http-error.js'
import { redactText } from './redact.js'

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryValue = string | number | boolean | undefined

export interface HttpRequest {
  method: HttpMethod
  /** Relative to the client's base URL (`/v2/apps`), or an absolute URL for hosts that hand one out (upload URLs). */
  path: string
  query?: Record<string, QueryValue>
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown
  /** A raw body (uploads); mutually exclusive with `json`. */
  body?: Buffer | Uint8Array | string | Readable
  headers?: Record<string, string>
  /** Lets a POST/PATCH be retried on 429/5xx: the host dedupes it (an idempotency key, a create that names its id). */
  idempotent?: boolean
  /** Deadline for the whole call, retries included, and for reading a `stream` answer to its end (default: the client's, 30 s). */
  timeoutMs?: number
  signal?: AbortSignal
  /** How to read the answer (default json: parsed when it is JSON, else text). */
  responseType?: 'json' | 'text' | 'buffer' | 'stream'
  /** Statuses answered as a response instead of thrown (e.g. [404] for an existence check). */
  accept?: number[]
}

/** The kit's HTTP boundary: one method, typed answers, a typed HttpError for everything else. */
export interface KitHttpClient {
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>
}

export interface KitHttpClientOptions extends HttpClientOptions {
  /** Query parameters sent on every call (a team scope); a request's own query wins. */
  query?: Record<string, QueryValue>
}

/**
 * A KitHttpClient over core's axios factory, so every call keeps its retries, redaction and
 * coded errors, and gains a deadline: axios's `timeout` only bounds an idle socket, so a host
 * that trickles bytes is cut off by the call's own timer instead.
 */
export function createKitHttpClient(factory: HttpClientFactory, options: KitHttpClientOptions): KitHttpClient {
  const { query: baseQuery, ...clientOptions } = options
  const axios = factory(clientOptions)
  const defaultTimeoutMs = options.timeoutMs ?? 30_000
  return {
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      const timeoutMs = request.timeoutMs ?? defaultTimeoutMs
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(), timeoutMs)
      timer.unref?.()
      const callers = [request.signal, options.signal].filter((s): s is AbortSignal => s !== undefined)
      const signal = AbortSignal.any([deadline.signal, ...callers])
      const accept = request.accept ?? []
      const config: AxiosRequestConfig & { idempotent?: boolean } = {
        method: request.method,
        url: request.path,
        params: dropUndefined({ ...baseQuery, ...request.query }),
        headers: { ...request.headers, ...(request.json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(request.json !== undefined ? { data: JSON.stringify(request.json) } : request.body !== undefined ? { data: request.body } : {}),
        responseType: request.responseType === 'buffer' ? 'arraybuffer' : request.responseType === 'stream' ? 'stream' : request.responseType === 'text' ? 'text' : 'json',
        ...(request.responseType === 'text' ? { transformResponse: [(data: unknown) => data] } : {}),
        timeout: timeoutMs,
        signal,
        validateStatus: (status) => (status >= 200 && status < 300) || accept.includes(status),
        ...(request.idempotent === true ? { idempotent: true } : {}),
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
      }
      let streaming = false
      try {
        const response = await axios.request(config)
        if (request.responseType === 'stream') {
          // The deadline covers reading the stream too: a host that stops sending mid-stream is cut off.
          // axios destroys its own stream on abort with a bare CanceledError; the reader gets ours.
          const source = response.data as Readable
          const stream = new PassThrough()
          streaming = true
          const stop = (): void => {
            const caller = callers.find((s) => s.aborted)
            stream.destroy(caller !== undefined ? abortedError(caller) : timedOut(request, options, timeoutMs, undefined))
            source.destroy()
          }
          source.on('error', (error) => (signal.aborted ? stop() : stream.destroy(error)))
          source.pipe(stream)
          signal.addEventListener('abort', stop, { once: true })
          stream.once('close', () => (clearTimeout(timer), signal.removeEventListener('abort', stop), source.destroy()))
          return { status: response.status, headers: plainHeaders(response.headers), body: stream as T }
        }
        const body = request.responseType === 'buffer' ? Buffer.from(response.data as ArrayBuffer) : response.data
        return { status: response.status, headers: plainHeaders(response.headers), body: body as T }
      } catch (error) {
        const caller = callers.find((s) => s.aborted)
        if (caller !== undefined) throw abortedError(caller)
        if (deadline.signal.aborted) throw timedOut(request, options, timeoutMs, error)
        throw error
      } finally {
        if (!streaming) clearTimeout(timer)
      }
    },
  }
}

function timedOut(request: HttpRequest, options: KitHttpClientOptions, timeoutMs: number, cause: unknown): HttpError {
  const url = redactText(/^https?:\/\//.test(request.path) ? request.path : `${options.baseURL.replace(/\/+$/, '')}${request.path}`)
  return new HttpError('HTTP_TIMEOUT', `${request.method} ${url} failed: no complete answer within ${Math.round(timeoutMs / 1000)} s.`, {
    fault: 'host',
    ...(options.provider === undefined ? {} : { provider: options.provider }),
    hint: 'The host is slow or unreachable; retry, or raise the timeout if the call is expected to take long.',
    cause,
    details: { method: request.method, url, timeoutMs },
    method: request.method,
    url,
    retryable: true,
  })
}

function dropUndefined(query: Record<string, QueryValue>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value
  return out
}
