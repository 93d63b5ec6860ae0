import type { BlobSource } from './blob-source.js'
import type { Descriptor } from './image-manifest.js'
import { runBounded } from './run-bounded.js'
import type { RegistryClient } from './registry-client.js'
import type { BlobProgress, UploadResult } from './registry-exchange-types.js'

export interface PushBlob {
  descriptor: Descriptor
  /** Opened only when the target lacks the blob and no mount worked. */
  source: () => BlobSource
  /** Repository on the target registry that may hold it (a cross-repo mount is tried first). */
  mountFrom?: string
}

export interface PushImageInput {
  repository: string
  /** Config and layers; pushed in parallel before the manifest. */
  blobs: PushBlob[]
  manifest: { bytes: Buffer; mediaType: string }
  /** The first tag gets the manifest; the others point at the same digest. At least one. */
  tags: string[]
}

export interface PushImageOptions {
  concurrency?: number
  onProgress?: (progress: BlobProgress & { index: number }) => void
}

export interface PushImageResult {
  digest: string
  blobs: UploadResult[]
  /** Bytes that went over the wire for blobs (manifest bytes added). */
  bytesSent: number
}

/**
 * Pushes an image: every blob made present (HEAD, mount, or upload) with bounded parallelism,
 * then the manifest under each tag. The manifest goes last, so a failure never leaves a tag
 * pointing at missing blobs.
 */
export async function pushImage(client: RegistryClient, input: PushImageInput, options: PushImageOptions = {}): Promise<PushImageResult> {
  const results = await runBounded(input.blobs, options.concurrency ?? 4, async (blob, index) => {
    const result = await client.uploadBlob(input.repository, lazySource(blob), {
      ...(blob.mountFrom === undefined ? {} : { mountFrom: blob.mountFrom }),
      ...(options.onProgress === undefined ? {} : { onProgress: (p: BlobProgress) => options.onProgress!({ ...p, index }) }),
    })
    return result
  })
  let digest = ''
  for (const tag of input.tags) digest = await client.putManifest(input.repository, tag, input.manifest.bytes, input.manifest.mediaType)
  const bytesSent = results.reduce((sum, r) => sum + r.bytesSent, 0) + input.manifest.bytes.length * input.tags.length
  return { digest, blobs: results, bytesSent }
}

/** Defers opening the real source (a file, another registry) until bytes are actually needed. */
function lazySource(blob: PushBlob): BlobSource {
  let source: BlobSource | undefined
  return {
    digest: blob.descriptor.digest,
    size: blob.descriptor.size,
    replayable: true,
    open: (start?: number, end?: number) => (source ??= blob.source()).open(start, end),
  }
}
