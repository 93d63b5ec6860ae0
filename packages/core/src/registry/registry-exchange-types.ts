import type { Readable } from 'node:stream'

/** The shapes a registry exchange and a blob upload share, apart so the client and the upload protocol need not import each other. */
export interface BlobProgress {
  digest: string | undefined
  /** Bytes of this blob sent so far in the current attempt (drops back to 0 when an upload restarts). */
  bytes: number
  total: number | undefined
  state: 'uploading' | 'exists' | 'mounted' | 'restarted' | 'done'
}

export interface UploadOptions {
  /** Repository on the same registry holding the blob; tried as a cross-repo mount first. */
  mountFrom?: string
  onProgress?: (progress: BlobProgress) => void
}

export interface UploadResult {
  digest: string
  size: number
  /** How the blob got there; `uploaded` counts the bytes that went over the wire. */
  via: 'exists' | 'mounted' | 'uploaded'
  bytesSent: number
}

export interface CallOptions {
  method: string
  /** A path under /v2/ or an absolute upload location. */
  target: string | URL
  scopes: string[]
  headers?: Record<string, string>
  body?: () => Readable | Buffer
  expect: number[]
  /** Whether this exact request may be sent again (false for bodies already partly streamed). */
  retry: boolean
}
