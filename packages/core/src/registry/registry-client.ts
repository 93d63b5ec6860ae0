import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { Readable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import { DEFAULT_RETRY, retryDelayMs } from '../http/retry-policy.js'
import type { RetryPolicy } from '../contract/http-client-factory.js'
import type { BlobSource } from './blob-source.js'
import { discardBody, httpExchange, readBody, type ExchangeResponse } from './http-exchange.js'
import type { Descriptor, ImageIndex, ImageManifest } from './image-manifest.js'
import { MANIFEST_ACCEPT, MEDIA_TYPES } from './media-types.js'
import { parseWwwAuthenticate } from './parse-www-authenticate.js'
import { authFailed, RegistryAuth } from './registry-auth.js'
import type { CredentialResolver, RegistryCredentials } from '../contract/registry-credentials.js'
import { registryNetworkError, registryResponseError } from './registry-error.js'
import { headerOf } from './exchange-helpers.js'
import { scope } from './registry-scope.js'
import { uploadBlobOnce, type UploadPort } from './upload-blob-once.js'
import { isLoopbackHost } from './registry-location.js'
import type { BlobProgress, CallOptions, UploadOptions, UploadResult } from './registry-exchange-types.js'
import { verifyBlobStream } from './verify-blob-stream.js'

export interface RegistryClientOptions {
  /** `host[:port]`, as in an image reference. */
  registry: string
  /** Defaults to http for loopback hosts (as Docker allows) and https everywhere else. */
  protocol?: 'http' | 'https'
  credentials?: RegistryCredentials | CredentialResolver
  retry?: Partial<RetryPolicy>
  idleTimeoutMs?: number
  signal?: AbortSignal
  /** `monolithic` PUTs a blob in one streamed request; `chunked` PATCHes `chunkSize` pieces. */
  uploadMode?: 'monolithic' | 'chunked'
  chunkSize?: number
  maxSockets?: number
  /** Credentials that carry `expiresAt` are renewed this long before it (at most half their lifetime). Default 5 minutes. */
  credentialRefreshMarginMs?: number
  /** The clock that expiry is judged by (tests inject one). */
  now?: () => number
}




export interface FetchedManifest {
  mediaType: string
  digest: string
  bytes: Buffer
  json: ImageManifest | ImageIndex
}


const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE'])
const DEFAULT_CHUNK = 32 * 1024 * 1024

/**
 * An OCI distribution client on Node's http: bodies are streamed with backpressure (axios would
 * buffer them), redirects are followed by hand so credentials stay on the registry host, and
 * uploads that fail part-way restart from a new session instead of being patched up.
 */
export class RegistryClient {
  readonly registry: string
  readonly baseUrl: URL
  readonly #auth: RegistryAuth
  readonly #agents: { http: http.Agent; https: https.Agent }
  readonly #policy: RetryPolicy
  readonly #options: RegistryClientOptions
  #pinged: Promise<void> | undefined

  constructor(options: RegistryClientOptions) {
    this.#options = options
    this.registry = options.registry
    const protocol = options.protocol ?? (isLoopbackHost(options.registry) ? 'http' : 'https')
    this.baseUrl = new URL(`${protocol}://${options.registry}/`)
    this.#policy = { ...DEFAULT_RETRY, ...options.retry }
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 }
    this.#agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) }
    const credentials = options.credentials
    const resolve: CredentialResolver =
      typeof credentials === 'function' ? credentials : async () => credentials
    this.#auth = new RegistryAuth({
      registry: options.registry,
      resolve,
      agents: this.#agents,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      now: options.now ?? Date.now,
      refreshMarginMs: options.credentialRefreshMarginMs ?? 5 * 60_000,
    })
  }

  /** Releases pooled sockets; the client must not be used afterwards. */
  close(): void {
    this.#agents.http.destroy()
    this.#agents.https.destroy()
  }

  /** `GET /v2/`: learns the auth challenge. Resolves when the registry speaks the v2 API. */
  async ping(): Promise<{ status: number; challenge: 'bearer' | 'basic' | 'none' }> {
    const response = await this.withNetworkRetry('GET', '/v2/', () => this.exchange('GET', new URL('/v2/', this.baseUrl), {}))
    discardBody(response)
    if (response.status === 401) {
      const challenge = parseWwwAuthenticate(headerOf(response, 'www-authenticate'))
      if (challenge === undefined) throw authFailed(this.registry, 'the registry asked for authentication with an unknown scheme', 401)
      this.#auth.setChallenge(challenge)
      return { status: 401, challenge: challenge.scheme }
    }
    if (response.status !== 200) throw await registryResponseError(this.registry, 'GET', response)
    return { status: 200, challenge: 'none' }
  }

  /** Checks the credentials by fetching a token (or using Basic) for the given repository. */
  async checkAccess(repository: string, actions: 'pull' | 'pull,push' = 'pull,push'): Promise<void> {
    await this.ensurePinged()
    await this.#auth.header([scope(repository, actions)])
  }

  async blobExists(repository: string, digest: string): Promise<number | undefined> {
    const response = await this.call({ method: 'HEAD', target: `${repository}/blobs/${digest}`, scopes: [scope(repository, 'pull')], expect: [200, 404], retry: true })
    discardBody(response)
    if (response.status === 404) return undefined
    return Number(headerOf(response, 'content-length') ?? '0')
  }

  /**
   * Streams a blob, verified against its digest (and `size`, when the manifest gives it): the
   * stream errors with REGISTRY_CORRUPT instead of ending when the bytes do not match. Redirects
   * to storage are followed without the registry's credentials.
   */
  async getBlob(repository: string, digest: string, size?: number): Promise<Readable> {
    let response
    try {
      response = await this.call({ method: 'GET', target: `${repository}/blobs/${digest}`, scopes: [scope(repository, 'pull')], expect: [200], retry: true })
    } catch (error) {
      // Blobs are only ever fetched because a manifest names them: a missing one is the registry's inconsistency.
      if (isDatapubError(error) && error.details?.status === 404) {
        throw new DatapubError('REGISTRY_CORRUPT', `${this.registry} has no blob ${digest} in ${repository}, though the image's manifest names it.`, {
          fault: 'host',
          cause: error,
          hint: 'The image on the registry is incomplete; push it again from its source.',
          details: { registry: this.registry, repository, digest },
        })
      }
      throw error
    }
    return verifyBlobStream(response.body, { registry: this.registry, repository, digest, size }, (error) => registryNetworkError(this.registry, 'GET', response.url.pathname, error))
  }

  async deleteBlob(repository: string, digest: string): Promise<void> {
    const response = await this.call({ method: 'DELETE', target: `${repository}/blobs/${digest}`, scopes: [scope(repository, 'delete')], expect: [202, 200, 404], retry: true })
    discardBody(response)
  }

  async getManifest(repository: string, reference: string, accept = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    let response
    try {
      response = await this.call({ method: 'GET', target: `${repository}/manifests/${reference}`, scopes: [scope(repository, 'pull')], headers: { accept }, expect: [200], retry: true })
    } catch (error) {
      if (isDatapubError(error) && error.details?.status === 404) {
        throw new DatapubError('IMAGE_NOT_FOUND', `Image ${this.registry}/${repository}:${reference} does not exist.`, { fault: 'user', cause: error, details: error.details })
      }
      throw error
    }
    const bytes = await this.readCodedBody(response, 'GET', 4 * 1024 * 1024)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new DatapubError('REGISTRY_CORRUPT', `The manifest ${reference} served by ${this.registry} has digest ${digest}.`, { fault: 'host', details: { registry: this.registry, repository } })
    }
    // Fetched by tag, the header is the registry's word for which image this is; bytes that say otherwise are not trusted.
    const served = headerOf(response, 'docker-content-digest')
    if (served !== undefined && served !== digest) {
      throw new DatapubError('REGISTRY_CORRUPT', `${this.registry} says ${repository}:${reference} is ${served}, but the manifest it served has digest ${digest}.`, {
        fault: 'host',
        hint: 'The registry (or a proxy in front of it) is inconsistent; retry, and report it if it persists.',
        details: { registry: this.registry, repository, served, digest },
      })
    }
    const json = JSON.parse(bytes.toString('utf8')) as ImageManifest | ImageIndex
    const mediaType = json.mediaType ?? (headerOf(response, 'content-type') ?? '').split(';')[0]!.trim()
    return { mediaType, digest, bytes, json }
  }

  /**
   * Resolves a reference to a single-platform manifest, choosing from an index when the
   * registry holds a multi-platform image (linux/amd64 unless told otherwise).
   */
  async getImageManifest(repository: string, reference: string, platform = { os: 'linux', architecture: 'amd64' }): Promise<FetchedManifest & { json: ImageManifest }> {
    const fetched = await this.getManifest(repository, reference)
    if (!isIndex(fetched.mediaType)) return fetched as FetchedManifest & { json: ImageManifest }
    const entry = (fetched.json as ImageIndex).manifests.find(
      (m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
    )
    if (entry === undefined) {
      throw new DatapubError('IMAGE_NOT_FOUND', `Image ${this.registry}/${repository}:${reference} has no ${platform.os}/${platform.architecture} variant.`, { fault: 'user' })
    }
    return (await this.getManifest(repository, entry.digest)) as FetchedManifest & { json: ImageManifest }
  }

  /** Pushes a single-platform manifest; an index is refused (hosts like Heroku reject them, and datapub never pushes attestations). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    if (isIndex(mediaType)) {
      throw new DatapubError('INTERNAL', 'datapub pushes single-platform manifests only, never an index.', { fault: 'internal' })
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const response = await this.call({
      method: 'PUT',
      target: `${repository}/manifests/${reference}`,
      scopes: [scope(repository, 'pull,push')],
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
      expect: [201, 200],
      // Idempotent: the same bytes under the same reference.
      retry: true,
    })
    discardBody(response)
    const served = headerOf(response, 'docker-content-digest')
    if (served !== undefined && served !== digest) {
      throw new DatapubError('REGISTRY_ERROR', `${this.registry} stored the manifest as ${served}, expected ${digest}.`, { fault: 'host' })
    }
    return digest
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const response = await this.call({ method: 'DELETE', target: `${repository}/manifests/${digest}`, scopes: [scope(repository, 'delete')], expect: [202, 200, 404], retry: true })
    discardBody(response)
  }

  async listTags(repository: string, pageSize = 1000): Promise<string[]> {
    const tags: string[] = []
    let target: string | URL = `${repository}/tags/list?n=${pageSize}`
    for (let page = 0; page < 10_000; page++) {
      const response: ExchangeResponse = await this.call({ method: 'GET', target, scopes: [scope(repository, 'pull')], expect: [200, 404], retry: true })
      if (response.status === 404) {
        discardBody(response)
        return tags
      }
      const body = JSON.parse((await this.readCodedBody(response, 'GET')).toString('utf8')) as { tags?: string[] | null }
      tags.push(...(body.tags ?? []))
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(headerOf(response, 'link') ?? '')?.[1]
      if (next === undefined) return tags
      target = new URL(next, this.baseUrl)
    }
    return tags
  }

  /**
   * Makes `source` exist in `repository`: HEAD first, then a cross-repo mount, then an upload.
   * A failed upload is cancelled and restarted from a fresh session (never resumed blind), and
   * the registry checks the digest when the upload is committed.
   */
  async uploadBlob(repository: string, source: BlobSource, options: UploadOptions = {}): Promise<UploadResult> {
    const attempts = source.replayable ? this.#policy.retries + 1 : 1
    let timeouts = 0
    let authRestarts = 0
    for (let attempt = 1; ; attempt++) {
      let location: URL | undefined
      try {
        return await uploadBlobOnce(this.#uploadPort(), repository, source, options, (url) => (location = url))
      } catch (error) {
        if (location !== undefined) await this.cancelUpload(repository, location)
        // Credentials that lapsed mid-upload were renewed by the refusal: one fresh session with them, then the refusal stands.
        const reauthenticate = source.replayable && isAuthRefusal(error) && ++authRestarts <= 1
        if (reauthenticate) {
          attempt--
          options.onProgress?.({ digest: source.digest, bytes: 0, total: source.size, state: 'restarted' })
          continue
        }
        if (attempt >= attempts || !isRetryableError(error) || (isTimeout(error) && ++timeouts > 1)) throw error
        options.onProgress?.({ digest: source.digest, bytes: 0, total: source.size, state: 'restarted' })
        const retryAfter = isDatapubError(error) ? (error.details?.retryAfter as string | undefined) : undefined
        await delay(retryDelayMs(attempt, retryAfter, this.#policy), undefined, this.signalOption())
      }
    }
  }

  #uploadPort(): UploadPort {
    return {
      registry: this.registry,
      uploadMode: this.#options.uploadMode ?? 'monolithic',
      chunkSize: this.#options.chunkSize ?? DEFAULT_CHUNK,
      blobExists: (repository, digest) => this.blobExists(repository, digest),
      call: (options) => this.call(options),
      location: (response) => this.location(response),
    }
  }

  private async cancelUpload(repository: string, location: URL): Promise<void> {
    try {
      const response = await this.call({ method: 'DELETE', target: location, scopes: [scope(repository, 'pull,push')], expect: [204, 200, 202, 404], retry: false })
      discardBody(response)
    } catch {
      // Best effort: the registry garbage-collects abandoned sessions anyway.
    }
  }

  private location(response: ExchangeResponse): URL {
    const value = headerOf(response, 'location')
    if (value === undefined) throw new DatapubError('REGISTRY_ERROR', `${this.registry} started an upload without a Location.`, { fault: 'host' })
    // Used as given: it may be relative and may carry query parameters the registry needs.
    return new URL(value, this.baseUrl)
  }

  private ensurePinged(): Promise<void> {
    this.#pinged ??= this.ping().then(
      () => undefined,
      (error: unknown) => {
        this.#pinged = undefined
        throw error
      },
    )
    return this.#pinged
  }

  private async call(options: CallOptions): Promise<ExchangeResponse> {
    await this.ensurePinged()
    const url = typeof options.target === 'string' ? new URL(`/v2/${options.target}`, this.baseUrl) : options.target
    let reauthenticated = false
    let timeouts = 0
    for (let attempt = 1; ; attempt++) {
      const auth = await this.#auth.header(options.scopes)
      const headers: Record<string, string> = { 'user-agent': 'datapub/0.1', ...options.headers }
      if (auth.value !== undefined) headers.authorization = auth.value
      let response: ExchangeResponse
      try {
        response = await this.exchange(options.method, url, headers, options.body)
      } catch (error) {
        // A request body that failed its own check (a source blob that is not what its digest says) is the error to report.
        if (isDatapubError(error)) throw error
        // A registry that stayed silent for a whole idle timeout gets one more try, not five: the bound on a call is two timeouts.
        if (options.retry && attempt <= this.#policy.retries && isRetryableError(error) && !(isTimeout(error) && ++timeouts > 1)) {
          await delay(retryDelayMs(attempt, undefined, this.#policy), undefined, this.signalOption())
          continue
        }
        throw registryNetworkError(this.registry, options.method, url.pathname, error)
      }
      if (options.expect.includes(response.status)) return response
      if (response.status === 401 && !reauthenticated) {
        // A new challenge (different realm/scope) or expired credentials: renew them and ask again, once.
        const challenge = parseWwwAuthenticate(headerOf(response, 'www-authenticate'))
        // A token good but short of this action (distribution wants `delete` to cancel an upload): new credentials would not help.
        const renew = challenge?.error !== 'insufficient_scope'
        reauthenticated = true
        if (options.retry || options.body === undefined) {
          discardBody(response)
          if (challenge !== undefined) this.#auth.setChallenge(challenge)
          await this.#auth.refused(options.scopes, auth.generation, renew)
          attempt--
          continue
        }
        // A write whose body went (part of) the way is not sent again from here: the upload restarts from a fresh session, with the renewed credentials.
        const refused = await registryResponseError(this.registry, options.method, response)
        if (challenge !== undefined) this.#auth.setChallenge(challenge)
        await this.#auth.refused(options.scopes, auth.generation, renew)
        throw refused
      }
      if (options.retry && RETRYABLE_STATUS.has(response.status) && attempt <= this.#policy.retries) {
        discardBody(response)
        await delay(retryDelayMs(attempt, headerOf(response, 'retry-after'), this.#policy), undefined, this.signalOption())
        continue
      }
      throw await registryResponseError(this.registry, options.method, response)
    }
  }

  private exchange(method: string, url: URL, headers: Record<string, string>, body?: () => Readable | Buffer): Promise<ExchangeResponse> {
    return httpExchange({
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      authorizedHost: this.baseUrl.host,
      agents: this.#agents,
      idleTimeoutMs: this.#options.idleTimeoutMs ?? 60_000,
      ...this.signalOption(),
    })
  }

  private async withNetworkRetry(method: string, path: string, send: () => Promise<ExchangeResponse>): Promise<ExchangeResponse> {
    let timeouts = 0
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await send()
        if (RETRYABLE_STATUS.has(response.status) && attempt <= this.#policy.retries) {
          discardBody(response)
          await delay(retryDelayMs(attempt, headerOf(response, 'retry-after'), this.#policy), undefined, this.signalOption())
          continue
        }
        return response
      } catch (error) {
        if (attempt > this.#policy.retries || !isRetryableError(error) || (isTimeout(error) && ++timeouts > 1)) throw registryNetworkError(this.registry, method, path, error)
        await delay(retryDelayMs(attempt, undefined, this.#policy), undefined, this.signalOption())
      }
    }
  }

  /** A body cut short or stalled past the idle timeout is the registry's fault, coded like any network failure. */
  private async readCodedBody(response: ExchangeResponse, method: string, limit?: number): Promise<Buffer> {
    try {
      return await readBody(response, limit)
    } catch (error) {
      throw registryNetworkError(this.registry, method, response.url.pathname, error)
    }
  }

  private signalOption(): { signal?: AbortSignal } {
    return this.#options.signal === undefined ? {} : { signal: this.#options.signal }
  }
}


export function isIndex(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList
}

function isTimeout(error: unknown): boolean {
  const code = isDatapubError(error) ? error.details?.networkCode : (error as { code?: string }).code
  return code === 'ETIMEDOUT'
}

/** A 401 from the registry or its token service: the credentials the attempt used were refused (and have been renewed). */
function isAuthRefusal(error: unknown): boolean {
  return isDatapubError(error) && error.code === 'REGISTRY_AUTH_FAILED' && error.details?.status === 401
}

function isRetryableError(error: unknown): boolean {
  if (isDatapubError(error)) {
    if (error.code !== 'REGISTRY_ERROR') return false
    const status = error.details?.status as number | undefined
    if (status === undefined) return RETRYABLE_NETWORK.has(String(error.details?.networkCode ?? ''))
    // A session the registry lost (proxy reset, restart) is safe to redo from the start.
    return RETRYABLE_STATUS.has(status) || (status === 404 && error.details?.code === 'BLOB_UPLOAD_UNKNOWN')
  }
  const code = (error as { code?: string }).code
  return code !== undefined && RETRYABLE_NETWORK.has(code)
}

export { scope }
export type { Descriptor }
