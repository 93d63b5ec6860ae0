import type { AuthInfo, HttpClientFactory } from '@datapub/core/kit'
import { mapApiError } from './map-api-error.js'
import { signalOf } from './signal-of.js'

/** Both APIs answer `GET /v2/user` for a valid token; the account name is all we keep. */
export async function checkToken(http: ReturnType<HttpClientFactory>, provider: 'now' | 'vercel', signal?: AbortSignal): Promise<AuthInfo> {
  try {
    const { data } = await http.get<{ user?: { username?: string; email?: string } }>('/v2/user', signalOf(signal))
    return { account: data.user?.username ?? data.user?.email ?? 'unknown' }
  } catch (error) {
    throw mapApiError(error, provider, 'Checking the token')
  }
}
