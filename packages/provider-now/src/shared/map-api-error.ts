import { DatapubError } from '@datapub/core/kit'
import { apiErrorOf } from './api-error-of.js'

/**
 * Turns the generic `<P>_HTTP_<status>` errors into the codes callers branch on: auth, plan,
 * rate limit, not found. Anything else is returned unchanged (already coded and redacted).
 */
export function mapApiError(error: unknown, provider: string, what: string): unknown {
  const api = apiErrorOf(error)
  if (api?.status === undefined) return error
  const P = provider.toUpperCase()
  const said = api.message === undefined ? '' : `: ${api.message}`
  const common = { provider, cause: error, details: { status: api.status, ...(api.code === undefined ? {} : { code: api.code }) } }
  switch (api.status) {
    case 401:
    case 403:
      if (api.code !== undefined && api.code !== 'forbidden' && api.code !== 'not_authorized' && api.status === 403) return error
      return new DatapubError(`${P}_AUTH_FAILED`, `${what}: the ${provider} API refused the token (${api.status})${said}.`, {
        ...common,
        fault: 'user',
        hint: `Check the token (--token, ${provider === 'now' ? 'NOW_TOKEN' : 'VERCEL_TOKEN'}) and that it may act in the chosen --scope.`,
      })
    case 402:
      return new DatapubError(`${P}_PAYMENT_REQUIRED`, `${what}: the ${provider} plan does not allow this (402)${said}.`, {
        ...common,
        fault: 'user',
        hint: 'Upgrade the plan or deploy under a team scope that has one.',
      })
    case 404:
      return new DatapubError('DEPLOYMENT_NOT_FOUND', `${what}: not found on ${provider}${said}.`, { ...common, fault: 'user', hint: `List deployments with \`datapub list ${provider}\`.` })
    case 429: {
      const reset = (api.error.limit as { reset?: unknown } | undefined)?.reset
      return new DatapubError(`${P}_RATE_LIMITED`, `${what}: ${provider} is rate limiting this account${said}.`, {
        ...common,
        fault: 'user',
        details: { ...common.details, ...(typeof reset === 'number' ? { reset } : {}) },
        hint: typeof reset === 'number' ? `Retry after ${new Date(reset * 1000).toISOString()}.` : 'Wait before deploying again; the plan limits deployments per day.',
      })
    }
    default:
      return error
  }
}
