/** What a registry login resolves to. `identityToken` is an OAuth2 refresh token (docker login with a token server). */
export type RegistryCredentials =
  | { username: string; password: string }
  | { identityToken: string; username?: string }
  | { registryToken: string }

/** Looks credentials up for a registry host (`host[:port]`); undefined means anonymous. */
export type CredentialResolver = (registry: string) => Promise<RegistryCredentials | undefined>
