import { DatapubError, registerSecret, type CredentialResolver } from '@datapub/core/kit'

const GOOGLE_REGISTRY = /(^|\.)(gcr\.io|pkg\.dev)$/

export interface AccessTokenSource {
  getAccessToken(): Promise<string | null | undefined | { token?: string | null }>
}

/**
 * Artifact Registry and gcr.io take Basic auth with the user `oauth2accesstoken` and a fresh
 * OAuth2 access token. google-auth-library is loaded only when a Google registry is used.
 */
export function googleCredentials(options: { auth?: AccessTokenSource; projectId?: string } = {}): CredentialResolver {
  let source: Promise<AccessTokenSource> | undefined
  return async (registry) => {
    if (!GOOGLE_REGISTRY.test(registry.split(':')[0] ?? registry)) return undefined
    source ??= options.auth !== undefined
      ? Promise.resolve(options.auth)
      : import('google-auth-library').then(
          ({ GoogleAuth }) =>
            // A known project spares google-auth-library a probe of the GCE metadata server (seconds off-GCE).
            new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], ...(options.projectId === undefined ? {} : { projectId: options.projectId }) }),
        )
    let answer: Awaited<ReturnType<AccessTokenSource['getAccessToken']>>
    try {
      answer = await (await source).getAccessToken()
    } catch (error) {
      throw new DatapubError('REGISTRY_AUTH_FAILED', `Could not get a Google access token for ${registry}.`, {
        fault: 'user',
        cause: error,
        hint: 'Run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS.',
      })
    }
    const token = typeof answer === 'string' ? answer : answer?.token
    if (typeof token !== 'string' || token === '') {
      throw new DatapubError('REGISTRY_AUTH_FAILED', `Google returned no access token for ${registry}.`, { fault: 'user' })
    }
    registerSecret(token)
    return { username: 'oauth2accesstoken', password: token }
  }
}
