import { DatapubError, isDatapubError, type Fault } from '@datapub/core/kit'

/** What heroku-client rejects with: `statusCode` and the parsed `{id, message}` body for HTTP errors. */
export interface HerokuClientError extends Error {
  statusCode?: number
  body?: unknown
  code?: string
}

export interface HerokuErrorBody {
  id?: string
  message?: string
}

export function herokuErrorBody(error: unknown): HerokuErrorBody {
  const details = isDatapubError(error) ? (error.details?.body as HerokuErrorBody | undefined) : ((error as HerokuClientError).body as HerokuErrorBody | undefined)
  return typeof details === 'object' && details !== null ? details : {}
}

export function herokuStatus(error: unknown): number | undefined {
  if (isDatapubError(error)) return error.details?.status as number | undefined
  return (error as HerokuClientError).statusCode
}

const BY_ID: Record<string, { code: string; fault: Fault; hint: string }> = {
  unauthorized: { code: 'HEROKU_UNAUTHORIZED', fault: 'user', hint: 'Set HEROKU_API_KEY (or --api-key) to a valid key: `heroku auth:token` prints one.' },
  delinquent: { code: 'HEROKU_DELINQUENT', fault: 'user', hint: 'The Heroku account has unpaid invoices; settle them in the Heroku dashboard.' },
  suspended: { code: 'HEROKU_SUSPENDED', fault: 'user', hint: 'The Heroku account is suspended; contact Heroku support.' },
  verification_needed: { code: 'HEROKU_VERIFICATION_NEEDED', fault: 'user', hint: 'Add a payment method to the Heroku account (heroku.com/verify) to use this feature.' },
  rate_limit: { code: 'HEROKU_RATE_LIMITED', fault: 'host', hint: 'The account used its Platform API calls (4500 an hour); wait a few minutes and retry.' },
}

/** Maps a heroku-client rejection to a coded DatapubError; the Heroku error id and status go in details. */
export function toHerokuError(error: unknown, method: string, path: string): DatapubError {
  if (isDatapubError(error)) return error
  const e = error as HerokuClientError
  const status = e.statusCode
  if (status === undefined) {
    return new DatapubError('HEROKU_UNREACHABLE', `${method} ${path} failed: ${e.code ?? e.message}.`, {
      fault: 'host',
      provider: 'heroku',
      hint: 'Check the network and --api-url, then retry.',
      cause: error,
      details: { method, path, code: e.code },
    })
  }
  const body = typeof e.body === 'object' && e.body !== null ? (e.body as HerokuErrorBody) : {}
  const known = body.id === undefined ? undefined : BY_ID[body.id]
  const fallback = status === 401 ? BY_ID.unauthorized : status === 429 ? BY_ID.rate_limit : undefined
  const mapped = known ?? fallback
  const fault: Fault = mapped?.fault ?? (status >= 500 ? 'host' : 'user')
  return new DatapubError(mapped?.code ?? `HEROKU_HTTP_${status}`, `Heroku answered ${status} to ${method} ${path}${body.message ? `: ${body.message}` : ''}.`, {
    fault,
    provider: 'heroku',
    ...(mapped === undefined ? (status === 403 ? { hint: 'The API key lacks access to this app or team; check its owner and your role.' } : {}) : { hint: mapped.hint }),
    details: { method, path, status, ...(body.id === undefined ? {} : { id: body.id }), body: { id: body.id, message: body.message } },
  })
}
