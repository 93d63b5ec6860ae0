import type { CredentialResolver } from '../registry-credentials.js'

/** The first resolver that knows the registry wins (e.g. a provider adapter, then the Docker config). */
export function chainCredentials(...resolvers: CredentialResolver[]): CredentialResolver {
  return async (registry) => {
    for (const resolve of resolvers) {
      const found = await resolve(registry)
      if (found !== undefined) return found
    }
    return undefined
  }
}
