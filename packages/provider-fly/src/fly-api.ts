import { createKitHttpClient, DatapubError, mapHttpError, registerSecret, type HttpClientFactory, type HttpErrorTable, type HttpRequest, type HttpResponse } from '@datapub/core/kit'

export interface FlyApi {
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>
}

const TOKEN_HINT = 'Set FLY_API_TOKEN (or --token) to a valid token: `fly tokens create deploy` or `fly auth token` prints one.'

/** Answers every call can get; operation-specific ones (404 app, 422 name taken, 409 lease) are mapped where the call is made. */
const COMMON: HttpErrorTable = {
  401: { code: 'FLY_UNAUTHORIZED', message: (e) => `Fly refused the token for ${e.method} ${pathOf(e.url)}${bodyError(e)}.`, fault: 'user', hint: TOKEN_HINT },
  429: { code: 'FLY_RATE_LIMITED', message: (e) => `Fly rate-limited ${e.method} ${pathOf(e.url)}.`, fault: 'host', hint: 'The Machines API allows about 1 request a second per action with short bursts; wait a minute and retry.' },
}

/**
 * The Machines API client: kit HTTP (retries for idempotent calls on 429/5xx honouring
 * Retry-After, deadline per call, redaction), and the Authorization header flyctl sends:
 * `FlyV1 <macaroon>` for fm1/fm2 tokens, `Bearer <token>` for older personal tokens
 * (fly-go tokens/tokens.go normalized).
 */
export function createFlyApi(http: HttpClientFactory, options: { token: string; apiUrl: string; signal: AbortSignal }): FlyApi {
  registerSecret(options.token)
  registerSecret(registryPassword(options.token))
  const client = createKitHttpClient(http, { baseURL: options.apiUrl.replace(/\/+$/, ''), headers: { authorization: authorizationHeader(options.token) }, provider: 'fly', signal: options.signal, timeoutMs: 90_000 })
  return {
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      try {
        return await client.request<T>(request)
      } catch (error) {
        throw mapHttpError(error, COMMON, { provider: 'fly' })
      }
    },
  }
}

export function authorizationHeader(token: string): string {
  const bare = token.replace(/^(FlyV1|Bearer)\s+/i, '')
  return /^fm\d_/.test(bare) || /^FlyV1\s/i.test(token) ? `FlyV1 ${bare}` : `Bearer ${bare}`
}

/** The token flyctl's registry login uses as password (username `x`): the bare token, no scheme. */
export function registryPassword(token: string): string {
  return token.replace(/^(FlyV1|Bearer)\s+/i, '')
}

export function missingToken(): DatapubError {
  return new DatapubError('AUTH_MISSING', 'No Fly.io API token: set FLY_API_TOKEN or pass --token.', { fault: 'user', provider: 'fly', path: 'token', hint: TOKEN_HINT })
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/** Fly's error bodies are `{"error": "..."}`, sometimes with `"status": "name_taken"` (fly-go flaps/flaps_error.go). */
export function bodyError(error: { response?: { body?: unknown } | undefined }): string {
  const body = error.response?.body as { error?: unknown; message?: unknown } | undefined
  const text = typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : undefined
  return text === undefined || text === '' ? '' : `: ${text}`
}

export function bodyStatus(error: { response?: { body?: unknown } | undefined }): string | undefined {
  const status = (error.response?.body as { status?: unknown } | undefined)?.status
  return typeof status === 'string' ? status : undefined
}

export const app = (name: string) => `/v1/apps/${encodeURIComponent(name)}`
