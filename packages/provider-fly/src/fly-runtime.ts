import type { Emit, HttpClientFactory } from '@datapub/core/kit'
import { createFlyApi, missingToken, type FlyApi } from './fly-api.js'
import type { FlyOptions } from './options.js'

export interface FlyRuntime {
  api: FlyApi
  /** Fly's platform API (logs), with the same token. */
  logs: FlyApi
  token: string
  options: FlyOptions
  emit: Emit
  signal: AbortSignal
  url(app: string): string
}

/** The token is checked when the first operation needs it: checkAuth runs in collect, before any build. */
export function openRuntime(context: { options: FlyOptions; env: Readonly<Record<string, string | undefined>>; http: HttpClientFactory; emit: Emit; signal: AbortSignal }): FlyRuntime {
  const token = context.options.token ?? context.env.FLY_API_TOKEN ?? context.env.FLY_ACCESS_TOKEN
  if (token === undefined || token.trim() === '') throw missingToken()
  const api = createFlyApi(context.http, { token: token.trim(), apiUrl: context.options.apiUrl, signal: context.signal })
  const logs = createFlyApi(context.http, { token: token.trim(), apiUrl: context.options.logsApiUrl, signal: context.signal })
  const template = context.options.appUrl ?? 'https://{app}.fly.dev'
  return { api, logs, token: token.trim(), options: context.options, emit: context.emit, signal: context.signal, url: (app) => template.replaceAll('{app}', app) }
}
