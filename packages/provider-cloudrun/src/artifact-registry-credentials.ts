import type { CredentialResolver } from '@datapub/core/kit'
import type { GoogleSession } from './google-session.js'

/**
 * Push credentials for Artifact Registry: `oauth2accesstoken` and the session's access token
 * with its expiry, so core renews it ahead of time and on a refusal during a push that outlives
 * the token's hour. Only `host` gets an answer: the token never travels to another registry.
 */
export function artifactRegistryCredentials(session: Pick<GoogleSession, 'token'>, host: string): CredentialResolver {
  return async (registry, request) => {
    if (registry !== host) return undefined
    const { token, expiresAt } = await session.token(request?.refresh === true ? { refresh: true } : {})
    return { username: 'oauth2accesstoken', password: token, ...(expiresAt === undefined ? {} : { expiresAt }) }
  }
}
