import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { createHash } from 'node:crypto'
import { tarStream } from '../../util/tar-stream.js'
import { DatapubError } from '../../errors/datapub-error.js'
import { registerSecret } from '../../http/redact.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import { writeGzipLayer, type WrittenLayer } from '../../image/append/write-gzip-layer.js'
import type { PushTarget, ImageArtifact } from '../../contract/provider-types.js'
import { RegistryClient } from '../../registry/registry-client.js'
import { pushImage, type PushBlob } from '../../registry/push-image.js'
import { blobFromBuffer, blobFromFile } from '../../registry/blob-source.js'
import { MEDIA_TYPES } from '../../registry/media-types.js'

export interface PushProgress {
  sentBytes: number
  totalBytes: number
}

const JSON_LIMIT = 64 * 1024 * 1024

/**
 * Pushes an image the engine built to a provider's registry without a `docker push`: reads the
 * `docker save` stream once, gzips each layer to a temporary blob (constant memory), and pushes
 * config, layers and a manifest in the target's format. Blobs the registry has are not sent.
 */
export async function pushEngineImage(engine: ContainerEngine, ref: string, target: PushTarget, options: { signal?: AbortSignal; onProgress?: (p: PushProgress) => void } = {}): Promise<ImageArtifact> {
  if ('password' in (target.credentials ?? {})) registerSecret((target.credentials as { password: string }).password)
  if ('registryToken' in (target.credentials ?? {})) registerSecret((target.credentials as { registryToken: string }).registryToken)
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

interface SavedImage {
  config: Buffer
  layers: WrittenLayer[]
}

/** One pass over `docker save` (legacy or OCI layout): JSON kept in memory, every tar gzipped to disk. */
async function readSavedImage(stream: Readable, work: string): Promise<SavedImage> {
  const json = new Map<string, Buffer>()
  const tars = new Map<string, WrittenLayer>()
  const links = new Map<string, string>()
  const ex = tarStream().extract()
  const feeding = pipeline(stream, ex)
  for await (const entry of ex) {
    const name = path.posix.normalize(entry.header.name).replace(/^\.\//, '')
    if (entry.header.type === 'symlink' || entry.header.type === 'link') {
      const linkname = entry.header.linkname ?? ''
      links.set(name, path.posix.normalize(entry.header.type === 'symlink' ? path.posix.join(path.posix.dirname(name), linkname) : linkname))
      entry.resume()
      continue
    }
    if (entry.header.type !== 'file') {
      entry.resume()
      continue
    }
    const iterator = entry[Symbol.asyncIterator]()
    const first = await iterator.next()
    const head: Buffer = first.done ? Buffer.alloc(0) : (first.value as Buffer)
    const rest = Readable.from((async function* () {
      if (head.length > 0) yield head
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer
    })())
    if ((head[0] === 0x7b || head[0] === 0x5b) && (entry.header.size ?? 0) <= JSON_LIMIT) {
      const chunks: Buffer[] = []
      for await (const chunk of rest) chunks.push(chunk as Buffer)
      json.set(name, Buffer.concat(chunks))
    } else if ((entry.header.size ?? 0) > 0) {
      const gzipped = head[0] === 0x1f && head[1] === 0x8b
      tars.set(name, await writeGzipLayer(gzipped ? rest.pipe(createGunzip()) : rest, work))
    } else rest.resume()
  }
  await feeding
  const resolve = (p: string): string => {
    let current = path.posix.normalize(p)
    for (let hops = 0; links.has(current) && hops < 16; hops++) current = links.get(current) as string
    return current
  }
  const manifestText = json.get('manifest.json')
  const manifest = manifestText === undefined ? undefined : (JSON.parse(manifestText.toString('utf8')) as Array<{ Config: string; Layers: string[] }>)[0]
  if (manifest === undefined) throw new DatapubError('IMAGE_NOT_FOUND', 'The engine returned an image archive without manifest.json.', { hint: 'Check that the image exists on the engine.' })
  const config = json.get(resolve(manifest.Config))
  if (config === undefined) throw new DatapubError('INTERNAL', `The image archive lacks its config ${manifest.Config}.`)
  const layers = manifest.Layers.map((layer) => {
    const written = tars.get(resolve(layer))
    if (written === undefined) throw new DatapubError('INTERNAL', `The image archive lacks layer ${layer}.`)
    return written
  })
  return { config, layers }
}
