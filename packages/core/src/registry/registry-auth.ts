import { Buffer } from 'node:buffer'
import type http from 'node:http'
import type https from 'node:https'
import { DatapubError } from '../errors/datapub-error.js'
import { registerSecret } from '../http/redact.js'
import { httpExchange, readBody } from './http-exchange.js'
import type { AuthChallenge } from './parse-www-authenticate.js'
import type { CredentialResolver, RegistryCredentials } from './registry-credentials.js'

interface CachedToken {
  value: string
  expiresAt: number
}

/**
 * Turns a registry's challenge into an Authorization header for a set of scopes. Bearer tokens
 * are cached per scope set until shortly before they expire; Basic is computed once.
 */
export class RegistryAuth {
  #challenge: AuthChallenge | undefined
  #credentials: Promise<RegistryCredentials | undefined> | undefined
  readonly #tokens = new Map<string, CachedToken>()

  constructor(
    private readonly registry: string,
    private readonly resolve: CredentialResolver,
    private readonly agents: { http: http.Agent; https: https.Agent },
    private readonly idleTimeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  get challenge(): AuthChallenge | undefined {
    return this.#challenge
  }

  setChallenge(challenge: AuthChallenge | undefined): void {
    this.#challenge = challenge
  }

  /** Forgets a token the registry just refused so the next call fetches a fresh one. */
  invalidate(scopes: string[]): void {
    this.#tokens.delete(scopes.join(' '))
  }

  async header(scopes: string[]): Promise<string | undefined> {
    const challenge = this.#challenge
    if (challenge === undefined) return undefined
    const credentials = await this.credentials()
    if (challenge.scheme === 'basic') {
      if (credentials === undefined || !('password' in credentials)) return undefined
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    }
    if (credentials !== undefined && 'registryToken' in credentials) return `Bearer ${credentials.registryToken}`
    const key = scopes.join(' ')
    const cached = this.#tokens.get(key)
    if (cached !== undefined && cached.expiresAt > Date.now()) return `Bearer ${cached.value}`
    const token = await this.fetchToken(challenge, scopes, credentials)
    this.#tokens.set(key, token)
    return `Bearer ${token.value}`
  }

  async credentials(): Promise<RegistryCredentials | undefined> {
    this.#credentials ??= this.resolve(this.registry).then((found) => {
      // Secrets only: registering a user name such as `oauth2accesstoken` would redact ordinary text.
      if (found !== undefined) for (const [key, value] of Object.entries(found)) if (key !== 'username') registerSecret(value as string)
      return found
    })
    return this.#credentials
  }

  private async fetchToken(challenge: AuthChallenge, scopes: string[], credentials: RegistryCredentials | undefined): Promise<CachedToken> {
    if (challenge.realm === undefined) throw authFailed(this.registry, 'the registry sent a Bearer challenge without a realm')
    const realm = new URL(challenge.realm)
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw authFailed(this.registry, 'the token realm is not an http(s) URL')
    const headers: Record<string, string> = { 'user-agent': 'datapub/0.1', accept: 'application/json' }
    let method = 'GET'
    let body: Buffer | undefined
    if (credentials !== undefined && 'identityToken' in credentials) {
      // An identity token is an OAuth2 refresh token: exchange it with POST (Docker token spec, oauth.md).
      method = 'POST'
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'datapub' })
      if (challenge.service !== undefined) form.set('service', challenge.service)
      form.set('scope', scopes.join(' '))
      body = Buffer.from(form.toString())
      headers['content-type'] = 'application/x-www-form-urlencoded'
      headers['content-length'] = String(body.length)
    } else {
      if (challenge.service !== undefined) realm.searchParams.set('service', challenge.service)
      for (const scope of scopes) realm.searchParams.append('scope', scope)
      if (credentials !== undefined && 'password' in credentials) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      }
    }
    let response
    try {
      response = await httpExchange({
        method,
        url: realm,
        headers,
        ...(body === undefined ? {} : { body: () => body }),
        authorizedHost: realm.host,
        agents: this.agents,
        idleTimeoutMs: this.idleTimeoutMs,
        maxRedirects: 0,
        ...(this.signal === undefined ? {} : { signal: this.signal }),
      })
    } catch (error) {
      throw new DatapubError('REGISTRY_AUTH_FAILED', `Could not reach the token service of ${this.registry}: ${(error as Error).message}.`, {
        fault: 'host',
        cause: error,
        details: { registry: this.registry },
      })
    }
    const text = (await readBody(response, 1024 * 1024)).toString('utf8')
    if (response.status !== 200) {
      throw authFailed(this.registry, `the token service answered ${response.status}`, response.status)
    }
    let parsed: { token?: string; access_token?: string; expires_in?: number }
    try {
      parsed = JSON.parse(text) as typeof parsed
    } catch {
      throw authFailed(this.registry, 'the token service returned something that is not JSON')
    }
    const value = parsed.token ?? parsed.access_token
    if (typeof value !== 'string' || value === '') throw authFailed(this.registry, 'the token service returned no token')
    registerSecret(value)
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60
    // Refresh early so a token never expires between the check and the request that uses it.
    return { value, expiresAt: Date.now() + Math.max(lifetime - 10, lifetime / 2) * 1000 }
  }
}

export function authFailed(registry: string, why: string, status?: number): DatapubError {
  return new DatapubError('REGISTRY_AUTH_FAILED', `Authentication with ${registry} failed: ${why}.`, {
    fault: 'user',
    hint: 'Check the registry credentials (docker login, DOCKER_CONFIG, REGISTRY_AUTH_FILE or the provider token) and their push rights.',
    details: { registry, ...(status === undefined ? {} : { status }) },
  })
}
