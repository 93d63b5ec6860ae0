import { createHash } from 'node:crypto'
import { DatapubError } from '../errors/datapub-error.js'
import type { BlobSource } from './blob-source.js'
import { discardBody, type ExchangeResponse } from './http-exchange.js'
import { countBytes, headerOf, withDigest } from './exchange-helpers.js'
import type { CallOptions, UploadOptions, UploadResult } from './registry-exchange-types.js'
import { scope } from './registry-scope.js'

/** What the upload protocol needs from a client: its authenticated calls and settings. */
export interface UploadPort {
  registry: string
  uploadMode: 'monolithic' | 'chunked'
  chunkSize: number
  blobExists(repository: string, digest: string): Promise<number | undefined>
  call(options: CallOptions): Promise<ExchangeResponse>
  location(response: ExchangeResponse): URL
}

/**
 * One attempt at making a blob exist: HEAD, then a cross-repo mount, then a monolithic PUT, PATCH
 * chunks of a replayable source, or one streaming PATCH hashed on the way when digest or size is
 * unknown. `track` learns every session location, so a failed attempt can be cancelled.
 */
export async function uploadBlobOnce(port: UploadPort, repository: string, source: BlobSource, options: UploadOptions, track: (url: URL) => void): Promise<UploadResult> {
  const { digest, size } = source
  const push = [scope(repository, 'pull,push')]
  if (digest !== undefined) {
    const existing = await port.blobExists(repository, digest)
    if (existing !== undefined) {
      options.onProgress?.({ digest, bytes: existing, total: existing, state: 'exists' })
      return { digest, size: existing, via: 'exists', bytesSent: 0 }
    }
  }
  let start: ExchangeResponse
  if (options.mountFrom !== undefined && options.mountFrom !== repository && digest !== undefined) {
    start = await port.call({
      method: 'POST',
      target: `${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(options.mountFrom)}`,
      scopes: [...push, scope(options.mountFrom, 'pull')],
      headers: { 'content-length': '0' },
      expect: [201, 202],
      retry: true,
    })
    discardBody(start)
    if (start.status === 201) {
      options.onProgress?.({ digest, bytes: size ?? 0, total: size, state: 'mounted' })
      return { digest, size: size ?? 0, via: 'mounted', bytesSent: 0 }
    }
  } else {
    start = await port.call({ method: 'POST', target: `${repository}/blobs/uploads/`, scopes: push, headers: { 'content-length': '0' }, expect: [202], retry: true })
    discardBody(start)
  }
  let location = port.location(start)
  track(location)
  const mode = port.uploadMode
  let sent = 0
  const progress = (bytes: number): void => {
    options.onProgress?.({ digest, bytes, total: size, state: 'uploading' })
  }

  if (digest !== undefined && size !== undefined && (mode === 'monolithic' || !source.replayable)) {
    const commit = withDigest(location, digest)
    const response = await port.call({
      method: 'PUT',
      target: commit,
      scopes: push,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: () => countBytes(source.open(), (n) => progress((sent = n))),
      expect: [201],
      retry: false,
    })
    discardBody(response)
    return committed(port.registry, response, digest, size, sent, options)
  }

  if (source.replayable && size !== undefined && digest !== undefined) {
    const minimum = Number(headerOf(start, 'oci-chunk-min-length') ?? '0')
    const chunk = Math.max(port.chunkSize, minimum)
    for (let offset = 0; offset < size; offset += chunk) {
      const end = Math.min(offset + chunk, size)
      const base = sent
      const response = await port.call({
        method: 'PATCH',
        target: location,
        scopes: push,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - offset), 'content-range': `${offset}-${end - 1}` },
        body: () => countBytes(source.open(offset, end), (n) => progress((sent = base + n))),
        expect: [202],
        retry: false,
      })
      discardBody(response)
      location = port.location(response)
      track(location)
    }
    const response = await port.call({ method: 'PUT', target: withDigest(location, digest), scopes: push, headers: { 'content-length': '0' }, expect: [201], retry: true })
    discardBody(response)
    return committed(port.registry, response, digest, size, sent, options)
  }

  // Unknown digest or size: one streaming PATCH, hashing as the bytes go by, then commit with the hash.
  const hash = createHash('sha256')
  const response = await port.call({
    method: 'PATCH',
    target: location,
    scopes: push,
    headers: { 'content-type': 'application/octet-stream' },
    body: () =>
      countBytes(source.open(), (n) => progress((sent = n)), (chunk) => hash.update(chunk)),
    expect: [202],
    retry: false,
  })
  discardBody(response)
  location = port.location(response)
  track(location)
  const computed = `sha256:${hash.digest('hex')}`
  if (digest !== undefined && computed !== digest) {
    throw new DatapubError('REGISTRY_ERROR', `The stream for ${digest} produced ${computed}; nothing was committed.`, { fault: 'internal' })
  }
  if (size !== undefined && sent !== size) {
    throw new DatapubError('REGISTRY_ERROR', `The stream for ${computed} had ${sent} bytes, expected ${size}.`, { fault: 'internal' })
  }
  const put = await port.call({ method: 'PUT', target: withDigest(location, computed), scopes: push, headers: { 'content-length': '0' }, expect: [201], retry: true })
  discardBody(put)
  return committed(port.registry, put, computed, sent, sent, options)
}

function committed(registry: string, response: ExchangeResponse, digest: string, size: number, sent: number, options: UploadOptions): UploadResult {
  const served = headerOf(response, 'docker-content-digest')
  if (served !== undefined && served !== digest) {
    throw new DatapubError('REGISTRY_ERROR', `${registry} committed ${served} for ${digest}.`, { fault: 'host' })
  }
  options.onProgress?.({ digest, bytes: size, total: size, state: 'done' })
  return { digest, size, via: 'uploaded', bytesSent: sent }
}
