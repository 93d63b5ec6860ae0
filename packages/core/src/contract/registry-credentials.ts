/** What a registry login resolves to. `identityToken` is an OAuth2 refresh token (docker login with a token server). */
export type RegistryCredentials =
  | { username: string; password: string }
  | { identityToken: string; username?: string }
  | { registryToken: string }

/**
 * Credentials as a source answers them: with `expiresAt` (epoch ms) when they are short-lived
 * (a Google access token lasts an hour, an ECR password twelve), so the client asks again
 * before they lapse instead of failing part-way through a long push.
 */
export type ResolvedCredentials = RegistryCredentials & { expiresAt?: number }

export interface CredentialRequest {
  /**
   * The last answer was refused by the registry or is about to expire: return new credentials,
   * not a cached copy. A source that cannot renew (a static password) answers as before, and
   * the client then gives up with REGISTRY_AUTH_FAILED rather than asking again.
   */
  refresh?: boolean
}

/**
 * Looks credentials up for a registry host (`host[:port]`); undefined means anonymous. The
 * client may call it again during one push (see CredentialRequest), so a source of expiring
 * tokens can hand out a fresh one each time it is asked.
 */
export type CredentialResolver = (registry: string, request?: CredentialRequest) => Promise<ResolvedCredentials | undefined>
