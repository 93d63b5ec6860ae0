import { Buffer } from 'node:buffer'
import type http from 'node:http'
import type https from 'node:https'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import { registerSecret } from '../http/redact.js'
import { httpExchange, readBody } from './http-exchange.js'
import type { AuthChallenge } from './parse-www-authenticate.js'
import type { CredentialResolver, ResolvedCredentials } from '../contract/registry-credentials.js'

interface CachedToken {
  value: string
  expiresAt: number
  /** The credentials generation it was minted from: renewed credentials make it stale. */
  generation: number
}

interface HeldCredentials {
  credentials: ResolvedCredentials | undefined
  generation: number
  /** When to ask the source again before `expiresAt` (epoch ms); undefined for credentials that do not expire. */
  renewAt?: number
}

export interface AuthHeader {
  value: string | undefined
  /** Which credentials produced it, handed back to `refused` so concurrent refusals renew once. */
  generation: number
}

export interface RegistryAuthOptions {
  registry: string
  resolve: CredentialResolver
  agents: { http: http.Agent; https: https.Agent }
  idleTimeoutMs: number
  signal?: AbortSignal
  now: () => number
  /** Ask for new credentials this long before they expire (at most half their lifetime). */
  refreshMarginMs: number
}

/**
 * Turns a registry's challenge into an Authorization header for a set of scopes. Bearer tokens
 * are cached per scope set until shortly before they expire; Basic is computed from the held
 * credentials. Credentials that say when they expire are renewed ahead of time, and a refusal
 * (a 401 from the registry or its token service) renews them once: a long push outlives the
 * hour a Google access token lasts.
 */
export class RegistryAuth {
  #challenge: AuthChallenge | undefined
  #held: Promise<HeldCredentials> | undefined
  #generation = 0
  readonly #tokens = new Map<string, CachedToken>()
  private readonly registry: string

  constructor(private readonly options: RegistryAuthOptions) {
    this.registry = options.registry
  }

  get challenge(): AuthChallenge | undefined {
    return this.#challenge
  }

  setChallenge(challenge: AuthChallenge | undefined): void {
    this.#challenge = challenge
  }

  /**
   * The registry refused a request sent with `generation`'s credentials: forgets the token for
   * these scopes and, when `renew`, the credentials too, unless a concurrent refusal already did.
   */
  async refused(scopes: string[], generation: number, renew: boolean): Promise<void> {
    const key = scopes.join(' ')
    if ((this.#tokens.get(key)?.generation ?? -1) <= generation) this.#tokens.delete(key)
    if (renew) await this.renew(generation)
  }

  async header(scopes: string[]): Promise<AuthHeader> {
    const challenge = this.#challenge
    if (challenge === undefined) return { value: undefined, generation: this.#generation }
    let held = await this.held()
    const credentials = held.credentials
    if (challenge.scheme === 'basic') {
      if (credentials === undefined || !('password' in credentials)) return { value: undefined, generation: held.generation }
      return { value: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`, generation: held.generation }
    }
    if (credentials !== undefined && 'registryToken' in credentials) return { value: `Bearer ${credentials.registryToken}`, generation: held.generation }
    const key = scopes.join(' ')
    const cached = this.#tokens.get(key)
    if (cached !== undefined && cached.generation === held.generation && cached.expiresAt > this.options.now()) return { value: `Bearer ${cached.value}`, generation: held.generation }
    let token: CachedToken
    try {
      token = await this.fetchToken(challenge, scopes, held)
    } catch (error) {
      // The token service refusing what the source gave (an access token that just lapsed): renew once, then let it stand.
      if (credentials === undefined || !(isDatapubError(error) && error.details?.status === 401)) throw error
      held = await this.renew(held.generation)
      token = await this.fetchToken(challenge, scopes, held)
    }
    this.#tokens.set(key, token)
    return { value: `Bearer ${token.value}`, generation: token.generation }
  }

  /** The held credentials, renewed first when they are about to expire. */
  private async held(): Promise<HeldCredentials> {
    const pending = (this.#held ??= this.ask(false))
    const held = await pending
    if (held.renewAt === undefined || held.renewAt > this.options.now()) return held
    try {
      return await this.renew(held.generation)
    } catch (error) {
      // Renewing early failed (the token endpoint blinked) while the old credentials still hold: use them and try again shortly.
      const left = (held.credentials?.expiresAt ?? 0) - this.options.now()
      if (left <= 0) throw error
      const kept = { ...held, renewAt: this.options.now() + Math.min(30_000, left / 2) }
      this.#held = Promise.resolve(kept)
      // The failed ask produced nothing of its generation, so a refusal of these credentials must still renew them.
      this.#generation = held.generation
      return kept
    }
  }

  /** Asks the source again (with `refresh`) unless credentials newer than `generation` are already held or on their way. */
  private renew(generation: number): Promise<HeldCredentials> {
    if (this.#held === undefined || this.#generation === generation) this.#held = this.ask(true)
    return this.#held
  }

  private ask(refresh: boolean): Promise<HeldCredentials> {
    const generation = ++this.#generation
    const asked = this.options.resolve(this.registry, refresh ? { refresh: true } : {}).then((found): HeldCredentials => {
      // Secrets only: registering a user name such as `oauth2accesstoken` would redact ordinary text.
      if (found !== undefined) for (const [key, value] of Object.entries(found)) if (key !== 'username' && typeof value === 'string') registerSecret(value)
      const now = this.options.now()
      const lifetime = found?.expiresAt === undefined ? undefined : found.expiresAt - now
      // Credentials already past their time are used as they are: renewing on every request would only hammer the source.
      if (lifetime === undefined || lifetime <= 0) return { credentials: found, generation }
      return { credentials: found, generation, renewAt: now + Math.max(lifetime - this.options.refreshMarginMs, lifetime / 2) }
    })
    // A failed lookup is not kept: the next request asks again instead of failing forever.
    asked.catch(() => {
      if (this.#generation === generation) this.#held = undefined
    })
    return asked
  }

  private async fetchToken(challenge: AuthChallenge, scopes: string[], held: HeldCredentials): Promise<CachedToken> {
    const credentials = held.credentials
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
        agents: this.options.agents,
        idleTimeoutMs: this.options.idleTimeoutMs,
        maxRedirects: 0,
        ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
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
    return { value, expiresAt: this.options.now() + Math.max(lifetime - 10, lifetime / 2) * 1000, generation: held.generation }
  }
}

export function authFailed(registry: string, why: string, status?: number): DatapubError {
  return new DatapubError('REGISTRY_AUTH_FAILED', `Authentication with ${registry} failed: ${why}.`, {
    fault: 'user',
    hint: 'Check the registry credentials (docker login, DOCKER_CONFIG, REGISTRY_AUTH_FILE or the provider token) and their push rights.',
    details: { registry, ...(status === undefined ? {} : { status }) },
  })
}
