import type { AuthInfo, KitHttpClient } from '@datapub/core/kit'
import { mapApiError } from './map-api-error.js'

/** Both APIs answer `GET /v2/user` for a valid token; the account name is all we keep. */
export async function checkToken(http: KitHttpClient, provider: 'now' | 'vercel', signal: AbortSignal): Promise<AuthInfo> {
  try {
    const { body } = await http.request<{ user?: { username?: string; email?: string } }>({ method: 'GET', path: '/v2/user', signal })
    return { account: body.user?.username ?? body.user?.email ?? 'unknown' }
  } catch (error) {
    throw mapApiError(error, provider, 'Checking the token')
  }
}
