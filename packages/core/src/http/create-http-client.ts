import type { AxiosError, AxiosInstance, AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios'
import { lazyRequire } from '../util/lazy-require.js'

// axios (and its proxy and form-data helpers) loads with the first client, not with core.
const axios = lazyRequire<typeof import('axios')>('axios')
import { registerSecret } from './redact.js'
import { sleep } from '../async/sleep.js'
import type { HttpError } from './http-error.js'
import { createHttpError } from './create-http-error.js'
import { retryDelayMs, isRetryable, DEFAULT_RETRY } from './retry-policy.js'
import type { HttpClientFactory, HttpClientOptions, RetryPolicy } from '../contract/http-client-factory.js'


interface RetryState {
  __datapubAttempt?: number
}

const IDEMPOTENT = new Set(['get', 'head', 'options', 'put', 'delete'])

/**
 * The one axios boundary. Every client gets timeouts, retries with backoff for idempotent calls
 * (429 and 5xx, honouring Retry-After), and errors mapped to DatapubError with the request
 * redacted. A POST is retried only when the caller marks it `idempotent` in the request config.
 */
export function createHttpClient(options: HttpClientOptions): AxiosInstance {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry }
  const headers: Record<string, string> = { 'user-agent': 'datapub/0.1', ...options.headers }
  if (options.token !== undefined) {
    registerSecret(options.token)
    headers.authorization = `Bearer ${options.token}`
  }
  if (options.auth !== undefined) {
    registerSecret(options.auth.password)
    headers.authorization =
      options.auth.scheme === 'basic'
        ? `Basic ${Buffer.from(`${options.auth.username ?? ''}:${options.auth.password}`).toString('base64')}`
        : `Bearer ${options.auth.password}`
  }
  const client = axios().default.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 30_000,
    headers,
    maxRedirects: 0,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  client.interceptors.response.use(undefined, async (error: unknown) => {
    if (!axios().default.isAxiosError(error) || error.config === undefined) throw error
    const config = error.config as InternalAxiosRequestConfig & RetryState & { idempotent?: boolean }
    const attempt = (config.__datapubAttempt ?? 0) + 1
    const method = (config.method ?? 'get').toLowerCase()
    const canRetry = (IDEMPOTENT.has(method) || config.idempotent === true) && attempt <= policy.retries
    if (canRetry && isRetryable(error)) {
      config.__datapubAttempt = attempt
      const delay = retryDelayMs(attempt, error.response?.headers?.['retry-after'] as string | undefined, policy)
      await sleep(delay, config.signal as AbortSignal | undefined)
      return client.request(config)
    }
    throw toHttpError(error, options.provider)
  })
  return client
}

export function toHttpError(error: AxiosError, provider?: string): HttpError {
  const answered = error.response
  return createHttpError({
    method: error.config?.method ?? 'get',
    url: `${error.config?.baseURL ?? ''}${error.config?.url ?? ''}`,
    ...(provider === undefined ? {} : { provider }),
    ...(answered === undefined ? { networkMessage: error.message, ...(error.code === undefined ? {} : { networkCode: error.code }) } : { status: answered.status, headers: plainHeaders(answered.headers), body: answered.data }),
  })
}

/** Axios headers as a plain object of lower-case names to strings (repeated headers joined). */
export function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof headers !== 'object' || headers === null) return out
  const source = typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON(): object }).toJSON() : headers
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (value === undefined || value === null) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}



export type { AxiosInstance, AxiosRequestConfig }
