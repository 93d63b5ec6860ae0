import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'

export interface FixtureFile {
  path: string
  size?: number
  type?: 'file' | 'directory' | 'symlink'
}

/** A layer tar built in memory; file contents are `size` bytes of a repeated letter. */
export async function layerTar(files: FixtureFile[]): Promise<Buffer> {
  const p = pack()
  const chunks: Buffer[] = []
  p.on('data', (c: unknown) => void chunks.push(c as Buffer))
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()))
  for (const f of files) {
    if (f.type === 'directory') p.entry({ name: f.path, type: 'directory' })
    else if (f.type === 'symlink') p.entry({ name: f.path, type: 'symlink', linkname: 'target' })
    else p.entry({ name: f.path, size: f.size ?? 0 }, Buffer.alloc(f.size ?? 0, 'a'))
  }
  p.finalize()
  await done
  return Buffer.concat(chunks)
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

type ArchiveItem = [string, Buffer | string, ('file' | 'symlink')?]

async function archive(entries: ArchiveItem[]): Promise<Readable> {
  const p = pack()
  const chunks: Buffer[] = []
  p.on('data', (c: unknown) => void chunks.push(c as Buffer))
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()))
  for (const [name, body, type] of entries) {
    if (type === 'symlink') p.entry({ name, type: 'symlink', linkname: body as string })
    else p.entry({ name }, typeof body === 'string' ? Buffer.from(body) : body)
  }
  p.finalize()
  await done
  return Readable.from([Buffer.concat(chunks)])
}

/** The legacy `docker save` layout: `<id>/layer.tar`, `<config>.json`, manifest.json last; a repeated layer as a symlink. */
export async function dockerArchive(layers: Buffer[], config: Record<string, unknown>, repeatFirstAsLink = false): Promise<Readable> {
  const configBody = Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: layers.map(sha256) } }))
  const configName = `${sha256(configBody).slice(7)}.json`
  const names = layers.map((_, i) => `${String(i).padStart(2, '0')}${'f'.repeat(62)}/layer.tar`)
  const entries: ArchiveItem[] = layers.map((l, i) => [names[i]!, l])
  if (repeatFirstAsLink) {
    entries.push([`zz${'e'.repeat(62)}/layer.tar`, `../${names[0]!}`, 'symlink'])
    names.push(`zz${'e'.repeat(62)}/layer.tar`)
  }
  entries.push([configName, configBody], ['manifest.json', JSON.stringify([{ Config: configName, RepoTags: ['fixture:latest'], Layers: names }])], ['repositories', '{}'])
  return archive(entries)
}

/** An OCI layout tar with gzip layers and no manifest.json (as skopeo writes it). */
export async function ociArchive(layers: Buffer[], config: Record<string, unknown>): Promise<Readable> {
  const gz = layers.map((l) => gzipSync(l))
  const configBody = Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: layers.map(sha256) } }))
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configBody), size: configBody.length },
    layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(g), size: g.length })),
  }))
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length }] }
  const blob = (b: Buffer): ArchiveItem => [`blobs/sha256/${sha256(b).slice(7)}`, b]
  return archive([blob(configBody), ...gz.map(blob), blob(manifest), ['index.json', JSON.stringify(index)], ['oci-layout', '{"imageLayoutVersion":"1.0.0"}']])
}
