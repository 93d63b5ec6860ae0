import { mapHttpError, type HttpError, type HttpErrorTable } from '@datapub/core/kit'
import { apiErrorOf } from './api-error-of.js'

/**
 * Turns the generic `<P>_HTTP_<status>` errors into the codes callers branch on: auth, plan,
 * rate limit, not found. Anything else is returned unchanged (already coded and redacted).
 */
export function mapApiError(error: unknown, provider: string, what: string): unknown {
  return mapHttpError(error, apiErrorTable(provider, what), { provider })
}

function apiErrorTable(provider: string, what: string): HttpErrorTable {
  const P = provider.toUpperCase()
  const said = (e: HttpError) => {
    const message = apiErrorOf(e)?.message
    return message === undefined ? '' : `: ${message}`
  }
  const code = (e: HttpError) => {
    const c = apiErrorOf(e)?.code
    return c === undefined ? {} : { code: c }
  }
  const reset = (e: HttpError) => (apiErrorOf(e)?.error.limit as { reset?: unknown } | undefined)?.reset
  const auth = {
    code: `${P}_AUTH_FAILED`,
    fault: 'user' as const,
    message: (e: HttpError) => `${what}: the ${provider} API refused the token (${e.status})${said(e)}.`,
    hint: `Check the token (--token, ${provider === 'now' ? 'NOW_TOKEN' : 'VERCEL_TOKEN'}) and that it may act in the chosen --scope.`,
    details: code,
  }
  return {
    401: auth,
    // A 403 with its own code (alias_in_use, plan limits...) is the caller's to read, not a token problem.
    403: { ...auth, when: (e) => [undefined, 'forbidden', 'not_authorized'].includes(apiErrorOf(e)?.code) },
    402: { code: `${P}_PAYMENT_REQUIRED`, fault: 'user', message: (e) => `${what}: the ${provider} plan does not allow this (402)${said(e)}.`, hint: 'Upgrade the plan or deploy under a team scope that has one.', details: code },
    404: { code: 'DEPLOYMENT_NOT_FOUND', fault: 'user', message: (e) => `${what}: not found on ${provider}${said(e)}.`, hint: `List deployments with \`datapub list ${provider}\`.`, details: code },
    429: {
      code: `${P}_RATE_LIMITED`,
      fault: 'user',
      message: (e) => `${what}: ${provider} is rate limiting this account${said(e)}.`,
      hint: (e) => {
        const at = reset(e)
        return typeof at === 'number' ? `Retry after ${new Date(at * 1000).toISOString()}.` : 'Wait before deploying again; the plan limits deployments per day.'
      },
      details: (e) => {
        const at = reset(e)
        return { ...code(e), ...(typeof at === 'number' ? { reset: at } : {}) }
      },
    },
  }
}
