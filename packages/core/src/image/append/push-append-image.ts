import { blobFromBuffer, blobFromKnownFile } from '../../registry/blob-source.js'
import { blobFromRegistry } from '../../registry/blob-from-registry.js'
import { pushImage, type PushBlob, type PushImageOptions, type PushImageResult } from '../../registry/push-image.js'
import type { RegistryClient } from '../../registry/registry-client.js'
import type { AppendedImage } from './build-append-image.js'

export interface AppendTarget {
  client: RegistryClient
  repository: string
  tags: string[]
}

/**
 * Pushes an appended image, sending only what the target lacks: base layers are mounted from
 * the runtime repository when it lives on the same registry, streamed from it otherwise.
 */
export async function pushAppendImage(image: AppendedImage, target: AppendTarget, options: PushImageOptions = {}): Promise<PushImageResult> {
  return pushImage(target.client, { repository: target.repository, blobs: appendBlobs(image, target.client), manifest: image.manifest, tags: target.tags }, options)
}

/** The blobs of an appended image with their sources; also what `plan` checks to count bytes to send. */
export function appendBlobs(image: AppendedImage, target: RegistryClient): PushBlob[] {
  const sameRegistry = target.registry === image.base.client.registry
  const base = image.base.manifest.layers.map((descriptor): PushBlob => ({
    descriptor,
    ...(sameRegistry ? { mountFrom: image.base.repository } : {}),
    source: () => blobFromRegistry(image.base.client, image.base.repository, descriptor),
  }))
  const layers = image.layers.map((layer): PushBlob => ({
    descriptor: layer.descriptor,
    source: () => blobFromKnownFile(layer.path, layer.digest, layer.size),
  }))
  return [{ descriptor: image.config.descriptor, source: () => blobFromBuffer(image.config.bytes) }, ...base, ...layers]
}

/** Bytes a push would send: blobs the target lacks (a mount counts as free when possible). */
export async function appendBytesToSend(image: AppendedImage, target: AppendTarget): Promise<{ bytes: number; missing: string[] }> {
  const missing: string[] = []
  let bytes = image.manifest.bytes.length * target.tags.length
  for (const blob of appendBlobs(image, target.client)) {
    if ((await target.client.blobExists(target.repository, blob.descriptor.digest)) !== undefined) continue
    if (blob.mountFrom !== undefined && (await target.client.blobExists(blob.mountFrom, blob.descriptor.digest)) !== undefined) continue
    missing.push(blob.descriptor.digest)
    bytes += blob.descriptor.size
  }
  return { bytes, missing }
}
