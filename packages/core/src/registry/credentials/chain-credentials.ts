import type { CredentialResolver } from '../../contract/registry-credentials.js'

/** The first resolver that knows the registry wins (e.g. a provider adapter, then the Docker config); a refresh request is passed on. */
export function chainCredentials(...resolvers: CredentialResolver[]): CredentialResolver {
  return async (registry, request) => {
    for (const resolve of resolvers) {
      const found = await resolve(registry, request)
      if (found !== undefined) return found
    }
    return undefined
  }
}
