import { DatapubError, isDatapubError, isHttpError, mapHttpError, type Fault, type HttpError, type HttpErrorRule } from '@datapub/core/kit'

export interface HerokuErrorBody {
  id?: string
  message?: string
}

/** The `{id, message}` Heroku answers with, from the HttpError or from the coded error made of it. */
export function herokuErrorBody(error: unknown): HerokuErrorBody {
  const body = isHttpError(error) ? error.response?.body : isDatapubError(error) ? error.details?.body : undefined
  return typeof body === 'object' && body !== null ? (body as HerokuErrorBody) : {}
}

export function herokuStatus(error: unknown): number | undefined {
  if (isHttpError(error)) return error.status
  if (isDatapubError(error)) return error.details?.status as number | undefined
  return undefined
}

const BY_ID: Record<string, { code: string; fault: Fault; hint: string }> = {
  unauthorized: { code: 'HEROKU_UNAUTHORIZED', fault: 'user', hint: 'Set HEROKU_API_KEY (or --api-key) to a valid key: `heroku auth:token` prints one.' },
  delinquent: { code: 'HEROKU_DELINQUENT', fault: 'user', hint: 'The Heroku account has unpaid invoices; settle them in the Heroku dashboard.' },
  suspended: { code: 'HEROKU_SUSPENDED', fault: 'user', hint: 'The Heroku account is suspended; contact Heroku support.' },
  verification_needed: { code: 'HEROKU_VERIFICATION_NEEDED', fault: 'user', hint: 'Add a payment method to the Heroku account (heroku.com/verify) to use this feature.' },
  rate_limit: { code: 'HEROKU_RATE_LIMITED', fault: 'host', hint: 'The account used its Platform API calls (4500 an hour); wait a few minutes and retry.' },
}

/** Heroku's error table: by the body's error id first, then by status. */
function herokuErrors(method: string, path: string): HttpErrorRule[] {
  const message = (e: HttpError) => {
    const said = herokuErrorBody(e).message
    return `Heroku answered ${e.status} to ${method} ${path}${said ? `: ${said}` : ''}.`
  }
  const details = (e: HttpError) => {
    const body = herokuErrorBody(e)
    return { method, path, ...(body.id === undefined ? {} : { id: body.id }), body: { id: body.id, message: body.message } }
  }
  const row = (known: { code: string; fault: Fault; hint: string }, when: (e: HttpError) => boolean): HttpErrorRule => ({ ...known, message, details, when })
  return [
    ...Object.entries(BY_ID).map(([id, known]) => row(known, (e) => herokuErrorBody(e).id === id)),
    row(BY_ID.unauthorized!, (e) => e.status === 401),
    row(BY_ID.rate_limit!, (e) => e.status === 429),
    { code: 'HEROKU_HTTP_403', fault: 'user', hint: 'The API key lacks access to this app or team; check its owner and your role.', message, details, when: (e) => e.status === 403 },
    { code: (e) => `HEROKU_HTTP_${e.status}`, fault: (e) => ((e.status ?? 500) >= 500 ? 'host' : 'user'), message, details },
  ]
}

/** Maps a failed Platform API call to a coded DatapubError; the Heroku error id and status go in details. */
export function toHerokuError(error: unknown, method: string, path: string): unknown {
  if (!isHttpError(error)) return error
  if (error.status === undefined) {
    return new DatapubError('HEROKU_UNREACHABLE', `${method} ${path} failed: ${String(error.details?.code ?? error.message)}.`, {
      fault: 'host',
      provider: 'heroku',
      hint: 'Check the network and --api-url, then retry.',
      cause: error,
      details: { method, path, code: error.details?.code },
    })
  }
  return mapHttpError(error, { default: herokuErrors(method, path) }, { provider: 'heroku' })
}
