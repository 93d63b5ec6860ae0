import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { createHash } from 'node:crypto'
import { DatapubError } from '../../errors/datapub-error.js'
import { registerCredentialSecrets } from '../../registry/register-credential-secrets.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import { writeGzipLayer, type WrittenLayer } from '../../image/append/write-gzip-layer.js'
import { walkImageArchive } from '../../image/walk-image-archive.js'
import type { PushTarget, ImageArtifact } from '../../contract/provider-types.js'
import { RegistryClient } from '../../registry/registry-client.js'
import { pushImage, type PushBlob } from '../../registry/push-image.js'
import { blobFromBuffer, blobFromFile } from '../../registry/blob-source.js'
import { MEDIA_TYPES } from '../../registry/media-types.js'

export interface PushProgress {
  sentBytes: number
  totalBytes: number
}

/**
 * Pushes an image the engine built to a provider's registry without a `docker push`: reads the
 * `docker save` stream once, gzips each layer to a temporary blob (constant memory), and pushes
 * config, layers and a manifest in the target's format. Blobs the registry has are not sent.
 */
export async function pushEngineImage(engine: ContainerEngine, ref: string, target: PushTarget, options: { signal?: AbortSignal; onProgress?: (p: PushProgress) => void } = {}): Promise<ImageArtifact> {
  registerCredentialSecrets(target.credentials)
  const work = await mkdtemp(path.join(tmpdir(), 'datapub-push-'))
  const client = new RegistryClient({
    registry: target.registry,
    ...(target.insecure ? { protocol: 'http' as const } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  try {
    const saved = await readSavedImage(await engine.saveImage(ref), work)
    const docker = target.manifestFormat === 'docker-v2'
    const configDigest = `sha256:${createHash('sha256').update(saved.config).digest('hex')}`
    const manifest = {
      schemaVersion: 2,
      mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
      config: { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: configDigest, size: saved.config.length },
      layers: saved.layers.map((l) => ({ mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip, digest: l.digest, size: l.size })),
    }
    const blobs: PushBlob[] = [
      { descriptor: manifest.config, source: () => blobFromBuffer(saved.config) },
      ...saved.layers.map((l, i) => ({ descriptor: manifest.layers[i]!, source: () => syncFile(l) })),
    ]
    const totalBytes = blobs.reduce((sum, b) => sum + b.descriptor.size, 0)
    const sent = new Map<number, number>()
    const result = await pushImage(
      client,
      { repository: target.repository, blobs, manifest: { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: manifest.mediaType }, tags: target.tags },
      {
        onProgress: (p) => {
          sent.set(p.index, p.state === 'exists' || p.state === 'mounted' || p.state === 'done' ? (blobs[p.index]?.descriptor.size ?? 0) : p.bytes)
          options.onProgress?.({ sentBytes: [...sent.values()].reduce((a, b) => a + b, 0), totalBytes })
        },
      },
    )
    return { kind: 'image', ref: `${target.registry}/${target.repository}@${result.digest}`, digest: result.digest, configDigest }
  } finally {
    client.close()
    await rm(work, { recursive: true, force: true })
  }
}

/** blobFromFile needs a promise; pushImage wants a sync factory. The digest is already known. */
function syncFile(layer: WrittenLayer) {
  let opened: ReturnType<typeof blobFromFile> | undefined
  const lazy = () => (opened ??= blobFromFile(layer.path, { digest: layer.digest, size: layer.size }))
  return {
    digest: layer.digest,
    size: layer.size,
    replayable: true,
    open: (start?: number, end?: number) => Readable.from((async function* () {
      yield* (await lazy()).open(start, end)
    })()),
  }
}

/** `docker save` read once: config bytes kept, every layer gzipped to a temporary blob as it streams past. */
async function readSavedImage(stream: Readable, work: string): Promise<{ config: Buffer; layers: WrittenLayer[] }> {
  const walked = await walkImageArchive(stream, (blob, layer) => writeGzipLayer(layer.gzipped ? blob.pipe(createGunzip()) : blob, work))
  if (walked.config === undefined) throw new DatapubError('INTERNAL', 'The image archive the engine returned lacks its config.')
  return { config: walked.config, layers: walked.layers }
}
