import { DatapubError, registerSecret, type CredentialResolver } from '@datapub/core/kit'
import { HEROKU_REGISTRY } from './push-target.js'


/** Heroku's registry takes Basic auth with the user `_` and the Platform API key as password. */
export function herokuCredentials(apiKey: string | undefined, registry = HEROKU_REGISTRY): CredentialResolver {
  if (apiKey === undefined || apiKey === '') {
    throw new DatapubError('AUTH_MISSING', 'No Heroku API key for registry.heroku.com.', { fault: 'user', provider: 'heroku', details: { provider: 'heroku' }, hint: 'Set HEROKU_API_KEY or run `heroku login`.' })
  }
  registerSecret(apiKey)
  return async (host) => (host === registry ? { username: '_', password: apiKey } : undefined)
}
