import { DatapubError, type KitHttpClient } from '@datapub/core/kit'
import { apiErrorOf } from './api-error-of.js'
import { mapApiError } from './map-api-error.js'

/**
 * Points `alias` at the deployment. 409 means it already points here, which is success for a
 * repeated publish. `path` is `/now/deployments/:id/aliases` (v1) or `/v2/deployments/:id/aliases`.
 */
export async function assignAlias(http: KitHttpClient, provider: string, path: string, alias: string, signal: AbortSignal): Promise<void> {
  try {
    await http.request({ method: 'POST', path, json: { alias }, signal })
  } catch (error) {
    const api = apiErrorOf(error)
    if (api?.status === 409) return
    if (api?.code === 'alias_in_use' || (api?.status === 403 && api.code !== undefined && api.code !== 'forbidden')) {
      throw new DatapubError(`${provider.toUpperCase()}_ALIAS_IN_USE`, `The alias ${alias} belongs to someone else${api.message === undefined ? '' : `: ${api.message}`}.`, {
        fault: 'user',
        provider,
        cause: error,
        path: 'alias',
        hint: 'Choose another --alias, or remove it from the other deployment first.',
      })
    }
    if (api?.code === 'cert_missing' || api?.code === 'cert_expired' || api?.code === 'invalid_alias') {
      throw new DatapubError(`${provider.toUpperCase()}_ALIAS_INVALID`, `The alias ${alias} cannot be assigned (${api.code}).`, {
        fault: 'user',
        provider,
        cause: error,
        path: 'alias',
        hint: 'Check that the domain is verified on the account and has a certificate.',
      })
    }
    throw mapApiError(error, provider, `Assigning alias ${alias}`)
  }
}
