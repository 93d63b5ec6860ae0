import { DatapubError } from '../errors/datapub-error.js'
import type { ExchangeResponse } from './http-exchange.js'
import { readBody } from './http-exchange.js'

export interface RegistryErrorDetails {
  [key: string]: unknown
  registry: string
  method: string
  /** The URL path only: upload locations carry opaque state in their query. */
  path: string
  status?: number
  code?: string
  retryAfter?: string
}

/** Reads the distribution error body (`{"errors":[{code,message}]}`) into a coded DatapubError. */
export async function registryResponseError(registry: string, method: string, response: ExchangeResponse): Promise<DatapubError> {
  let code: string | undefined
  let message: string | undefined
  try {
    const text = (await readBody(response, 64 * 1024)).toString('utf8')
    const parsed = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }
    code = parsed.errors?.[0]?.code
    message = parsed.errors?.[0]?.message
  } catch {
    // Bodies of HEAD responses and proxies' HTML pages are not distribution errors; the status is enough.
  }
  const status = response.status
  const details: RegistryErrorDetails = { registry, method, path: response.url.pathname, status }
  if (code !== undefined) details.code = code
  const retryAfter = response.headers['retry-after']
  if (typeof retryAfter === 'string') details.retryAfter = retryAfter
  const what = `${method} ${response.url.pathname} on ${registry} answered ${status}${code === undefined ? '' : ` ${code}`}${message === undefined ? '' : `: ${message}`}`
  if (status === 401 || status === 403) {
    return new DatapubError('REGISTRY_AUTH_FAILED', `${what}.`, {
      fault: 'user',
      hint: 'Check the registry credentials and that they may push to this repository.',
      details,
    })
  }
  return new DatapubError('REGISTRY_ERROR', `${what}.`, {
    // Only a 4xx can be the caller's doing; a 2xx or 3xx where another answer was due is the registry's.
    fault: status >= 400 && status < 500 && status !== 429 ? 'user' : 'host',
    ...(status === 429 ? { hint: 'The registry is rate limiting; retry later.' } : {}),
    details,
  })
}

export function registryNetworkError(registry: string, method: string, path: string, error: unknown): DatapubError {
  const code = (error as { code?: string }).code
  return new DatapubError('REGISTRY_ERROR', `${method} ${path} on ${registry} failed: ${code ?? (error as Error).message}.`, {
    fault: 'host',
    cause: error,
    hint: 'Check that the registry is reachable, then retry.',
    details: { registry, method, path, ...(code === undefined ? {} : { networkCode: code }) } satisfies RegistryErrorDetails,
  })
}
