import { createHash } from 'node:crypto'
import path from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { tarStream } from '../util/tar-stream.js'
import { walkImageArchive } from './walk-image-archive.js'
import type { ImageConfigSummary } from './analyze-layers.js'
import type { LayerEntry, ParsedLayer } from './image-report.js'

export interface ImageArchive {
  format: 'docker-archive' | 'oci-layout'
  /** sha256:... of the config blob, when known. */
  configDigest?: string
  config: ImageConfigSummary
  repoTags: string[]
  layers: ParsedLayer[]
  warnings: string[]
}

/**
 * Reads a `docker save` stream in one pass, without a container and without writing to disk,
 * parsing every layer as it streams past (see walkImageArchive for the layouts understood).
 */
export async function readImageArchive(source: Readable, options: { estimateCompressed?: boolean } = {}): Promise<ImageArchive> {
  const walked = await walkImageArchive(source, (blob, layer) => readLayer(blob, layer.gzipped, options.estimateCompressed ?? true))
  let config: ImageConfigSummary = {} as ImageConfigSummary
  try {
    if (walked.config !== undefined) config = JSON.parse(walked.config.toString('utf8')) as ImageConfigSummary
  } catch {
    // An unreadable config only costs the summary; the layers are still analysed.
  }
  return {
    format: walked.format,
    ...(walked.configDigest === undefined ? {} : { configDigest: walked.configDigest }),
    config,
    repoTags: walked.repoTags,
    layers: walked.layers,
    warnings: walked.warnings,
  }
}

/** Hashes, sizes and lists one layer blob while it streams; gzip blobs are inflated on the way. */
export async function readLayer(blob: Readable, gzipped: boolean, estimate: boolean): Promise<ParsedLayer> {
  const digest = createHash('sha256')
  const diff = createHash('sha256')
  let blobBytes = 0
  let tarBytes = 0
  let compressed = 0
  const gzip = !gzipped && estimate ? createGzip({ level: 6 }) : undefined
  gzip?.on('data', (chunk: Buffer) => (compressed += chunk.length))
  const gzipDone = gzip ? new Promise<void>((resolve, reject) => gzip.on('end', resolve).on('error', reject)) : Promise.resolve()
  const tapBlob = new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      digest.update(chunk)
      blobBytes += chunk.length
      callback(null, chunk)
    },
  })
  const tapTar = new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      diff.update(chunk)
      tarBytes += chunk.length
      if (gzip && !gzip.write(chunk)) gzip.once('drain', () => callback(null, chunk))
      else callback(null, chunk)
    },
    flush(callback) {
      gzip?.end()
      callback()
    },
  })
  const entries: LayerEntry[] = []
  const layerTar = tarStream().extract()
  const parsing = (async () => {
    for await (const entry of layerTar) {
      entries.push(toLayerEntry(entry.header))
      entry.resume()
    }
  })()
  await Promise.all([pipeline(blob, tapBlob, ...(gzipped ? [createGunzip()] : []), tapTar, layerTar), parsing, gzipDone])
  const diffId = `sha256:${diff.digest('hex')}`
  return {
    diffId,
    digest: gzipped ? `sha256:${digest.digest('hex')}` : diffId,
    tarBytes,
    compressedBytes: gzipped ? blobBytes : gzip ? compressed : tarBytes,
    compressedEstimated: !gzipped,
    entries,
  }
}

function toLayerEntry(header: { name: string; type?: string | null; size?: number | null }): LayerEntry {
  let name = header.name.replace(/^\.?\/+/, '').replace(/^\.\//, '').replace(/\/+$/, '')
  const base = path.posix.basename(name)
  const dir = path.posix.dirname(name) === '.' ? '' : path.posix.dirname(name)
  const type = header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : header.type === 'link' ? 'hardlink' : 'other'
  if (base === '.wh..wh..opq') return { path: dir, type: 'directory', size: 0, opaque: true }
  if (base.startsWith('.wh.')) {
    name = dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`
    return { path: name, type: 'other', size: 0, whiteout: true }
  }
  return { path: name, type, size: type === 'file' ? (header.size ?? 0) : 0 }
}
