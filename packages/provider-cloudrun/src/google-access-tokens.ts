import { registerSecret } from '@datapub/core/kit'

/** What the token source needs of a google-auth-library client (OAuth2Client, JWT, external account, impersonated). */
export interface GoogleAuthClient {
  getAccessToken(): Promise<{ token?: string | null }>
  credentials?: { access_token?: string | null; expiry_date?: number | null }
  setCredentials?(credentials: Record<string, unknown>): void
}

export interface AccessToken {
  token: string
  /** When Google said it lapses (epoch ms); absent when the client does not know. */
  expiresAt?: number
}

export type AccessTokens = (request?: { refresh?: boolean }) => Promise<AccessToken>

/**
 * Access tokens with their expiry, from a google-auth-library client (which caches one and renews
 * it five minutes before it lapses). Asked with `refresh` (a registry refused the last token, or it
 * is about to lapse) while the library would hand out that same token again, it marks the cached
 * one expired, which every client kind honours, so the next call fetches a new one.
 */
export function googleAccessTokens(client: () => Promise<GoogleAuthClient>): AccessTokens {
  let last: string | undefined
  return async (request = {}) => {
    const auth = await client()
    let token = (await auth.getAccessToken()).token
    if (request.refresh === true && token === last && auth.setCredentials !== undefined) {
      auth.setCredentials({ ...auth.credentials, expiry_date: 1 })
      token = (await auth.getAccessToken()).token
    }
    if (typeof token !== 'string' || token === '') throw Object.assign(new Error('Google returned no access token'), { code: 'NO_TOKEN' })
    registerSecret(token)
    last = token
    const expiry = auth.credentials?.access_token === token ? auth.credentials.expiry_date : undefined
    return typeof expiry === 'number' && expiry > 1 ? { token, expiresAt: expiry } : { token }
  }
}
