import { createKitHttpClient, type KitHttpClient, type ProviderContext } from '@datapub/core/kit'
import { resolveToken } from './resolve-token.js'
import { scopeParams } from './scope-params.js'

export interface ApiClientOptions {
  token?: string | undefined
  apiUrl: string
  scope?: string | undefined
}

/**
 * A lazily built client: the token is looked up on first use, so `create` never throws and a
 * missing token surfaces from checkAuth as a coded user error. Team scope rides on every call.
 */
export function createApiClient(context: ProviderContext<ApiClientOptions>, provider: 'now' | 'vercel', envNames: string[]): () => KitHttpClient {
  let client: KitHttpClient | undefined
  return () => {
    if (client !== undefined) return client
    const token = resolveToken(provider, context.options.token, context.env, envNames)
    client = createKitHttpClient(context.http, { baseURL: context.options.apiUrl.replace(/\/+$/, ''), token, provider, headers: { accept: 'application/json' }, query: scopeParams(context.options.scope) })
    return client
  }
}
