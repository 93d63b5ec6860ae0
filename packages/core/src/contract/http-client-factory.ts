import type { AxiosInstance } from 'axios'

export interface RetryPolicy {
  retries: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface HttpClientOptions {
  baseURL: string
  /** Sent as `Authorization: Bearer ...` unless `auth` says otherwise; registered as a secret. */
  token?: string
  auth?: { scheme: 'bearer' | 'basic'; username?: string; password: string }
  headers?: Record<string, string>
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Prefix for error codes (e.g. HEROKU → HEROKU_HTTP_403). */
  provider?: string
  signal?: AbortSignal
}

export type HttpClientFactory = (options: HttpClientOptions) => AxiosInstance
