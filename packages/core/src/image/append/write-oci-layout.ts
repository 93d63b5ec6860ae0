import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { copyFile, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DatapubError } from '../../errors/datapub-error.js'
import type { Descriptor, ImageIndex } from '../../registry/image-manifest.js'
import { convertManifest, manifestBytes } from '../../registry/convert-manifest.js'
import { MEDIA_TYPES } from '../../registry/media-types.js'
import type { AppendedImage } from './build-append-image.js'

/**
 * Writes the image into an OCI image layout directory (image-layout.md): blobs by digest,
 * `oci-layout`, and `index.json` with the tag as `org.opencontainers.image.ref.name` (an existing
 * entry with the same name is replaced). Base layers are fetched from the runtime image's
 * registry unless the layout already has them.
 */
export async function writeOciLayout(image: AppendedImage, dir: string, tag: string): Promise<Descriptor> {
  const blobs = path.join(dir, 'blobs', 'sha256')
  await mkdir(blobs, { recursive: true })
  await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  for (const layer of image.base.manifest.layers) {
    const target = blobPath(dir, layer.digest)
    if (await exists(target)) continue
    const temp = path.join(blobs, `.tmp-${randomUUID()}`)
    const hash = createHash('sha256')
    const observe = new Transform({ transform: (chunk: Buffer, _e, done) => (hash.update(chunk), done(null, chunk)) })
    await pipeline(await image.base.client.getBlob(image.base.repository, layer.digest), observe, createWriteStream(temp))
    if (`sha256:${hash.digest('hex')}` !== layer.digest) {
      await rm(temp, { force: true })
      throw new DatapubError('REGISTRY_ERROR', `The base layer ${layer.digest} arrived with another digest.`, { fault: 'host' })
    }
    await rename(temp, target)
  }
  for (const layer of image.layers) {
    const target = blobPath(dir, layer.digest)
    if (await exists(target)) continue
    await link(layer.path, target).catch(() => copyFile(layer.path, target))
  }
  await writeFile(blobPath(dir, image.config.descriptor.digest), image.config.bytes)
  // Layout readers (containers/image, crane) look only for OCI manifests in index.json, so a
  // Docker-format image is written in its OCI form: same blobs, different manifest digest.
  const manifest = image.format === 'oci' ? image.manifest.bytes : manifestBytes(convertManifest(image.manifest.json, 'oci'))
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`
  await writeFile(blobPath(dir, digest), manifest)
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPES.ociManifest,
    digest,
    size: manifest.length,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  }
  let index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] }
  try {
    index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as ImageIndex
  } catch {
    // A new layout.
  }
  index.manifests = [...index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] !== tag), descriptor]
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index))
  return descriptor
}

function blobPath(dir: string, digest: string): string {
  return path.join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''))
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}
