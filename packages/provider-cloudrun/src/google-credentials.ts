import { DatapubError, type CredentialResolver } from '@datapub/core/kit'
import { googleAccessTokens, type AccessTokens, type GoogleAuthClient } from './google-access-tokens.js'

const GOOGLE_REGISTRY = /(^|\.)(gcr\.io|pkg\.dev)$/

/** A GoogleAuth (its client is used), a google-auth-library client, or anything that hands out access tokens. */
export interface AccessTokenSource {
  getAccessToken(): Promise<string | null | undefined | { token?: string | null }>
  getClient?(): Promise<unknown>
}

/**
 * Artifact Registry and gcr.io take Basic auth with the user `oauth2accesstoken` and a fresh
 * OAuth2 access token, answered with its expiry so a long push renews it in time; a refresh
 * request forces a new one. google-auth-library is loaded only when a Google registry is used.
 */
export function googleCredentials(options: { auth?: AccessTokenSource; projectId?: string } = {}): CredentialResolver {
  let tokens: Promise<AccessTokens> | undefined
  return async (registry, request) => {
    if (!GOOGLE_REGISTRY.test(registry.split(':')[0] ?? registry)) return undefined
    tokens ??= (options.auth !== undefined
      ? Promise.resolve(options.auth)
      : import('google-auth-library').then(
          ({ GoogleAuth }): AccessTokenSource =>
            // A known project spares google-auth-library a probe of the GCE metadata server (seconds off-GCE).
            new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], ...(options.projectId === undefined ? {} : { projectId: options.projectId }) }),
        )
    ).then((source) => googleAccessTokens(() => clientOf(source)))
    let answer
    try {
      answer = await (await tokens)(request?.refresh === true ? { refresh: true } : {})
    } catch (error) {
      if ((error as { code?: string }).code === 'NO_TOKEN') throw new DatapubError('REGISTRY_AUTH_FAILED', `Google returned no access token for ${registry}.`, { fault: 'user' })
      throw new DatapubError('REGISTRY_AUTH_FAILED', `Could not get a Google access token for ${registry}.`, {
        fault: 'user',
        cause: error,
        hint: 'Run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS.',
      })
    }
    return { username: 'oauth2accesstoken', password: answer.token, ...(answer.expiresAt === undefined ? {} : { expiresAt: answer.expiresAt }) }
  }
}

/** GoogleAuth hands out its client and a client is used as it is (both know expiry); a bare token source is wrapped, without one. */
async function clientOf(source: AccessTokenSource): Promise<GoogleAuthClient> {
  if (source.getClient !== undefined) return (await source.getClient()) as GoogleAuthClient
  if (typeof (source as GoogleAuthClient).setCredentials === 'function') return source as GoogleAuthClient
  return {
    getAccessToken: async () => {
      const answer = await source.getAccessToken()
      return { token: typeof answer === 'string' || answer === null || answer === undefined ? answer : answer.token }
    },
  }
}
