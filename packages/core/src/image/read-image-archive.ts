import { createHash } from 'node:crypto'
import path from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { tarStream } from '../util/tar-stream.js'
import { DatapubError } from '../errors/datapub-error.js'
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

const JSON_LIMIT = 64 * 1024 * 1024
const GZIP = [0x1f, 0x8b]
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]

/**
 * Reads a `docker save` stream in one pass, without a container and without writing to disk.
 * Both layouts engines produce are understood: the legacy one (`<id>/layer.tar`, `<id>.json`,
 * manifest.json) and the OCI layout of Docker 25+ (`blobs/sha256/...`, index.json, plus a
 * compatible manifest.json). The manifest usually comes last, so every entry is classified by
 * its first bytes (JSON, gzip, tar) and layer tars are parsed as they stream past; the manifest
 * then says which ones are the image's layers and in what order.
 */
export async function readImageArchive(source: Readable, options: { estimateCompressed?: boolean } = {}): Promise<ImageArchive> {
  const jsonFiles = new Map<string, unknown>()
  const layerFiles = new Map<string, ParsedLayer>()
  const links = new Map<string, string>()
  const warnings: string[] = []
  const ex = tarStream().extract()
  const feeding = pipeline(source, ex).catch((error: Error) => {
    throw new DatapubError('IMAGE_NOT_FOUND', `The image archive could not be read: ${error.message}`, { cause: error, hint: 'Check that the reference names an image the engine has.' })
  })
  for await (const entry of ex) {
    const name = path.posix.normalize(entry.header.name).replace(/^\.\//, '').replace(/\/$/, '')
    if (entry.header.type === 'symlink' || entry.header.type === 'link') {
      const target = entry.header.type === 'symlink' ? path.posix.join(path.posix.dirname(name), entry.header.linkname ?? '') : (entry.header.linkname ?? '')
      links.set(name, path.posix.normalize(target))
      entry.resume()
      continue
    }
    if (entry.header.type !== 'file') {
      entry.resume()
      continue
    }
    const { head, rest } = await peek(entry as unknown as Readable, 512)
    if (head.length > 0 && (head[0] === 0x7b || head[0] === 0x5b) && (entry.header.size ?? 0) <= JSON_LIMIT) {
      const chunks: Buffer[] = []
      for await (const chunk of rest) chunks.push(chunk as Buffer)
      try {
        jsonFiles.set(name, JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        // Not JSON after all (a layer cannot start with "{"): ignore.
      }
    } else if (startsWith(head, ZSTD)) {
      warnings.push(`${name}: zstd-compressed layer; its files are not analysed`)
      for await (const _ of rest) void _
    } else if (startsWith(head, GZIP) || isTarHeader(head) || (head.length > 0 && head.every((b) => b === 0))) {
      layerFiles.set(name, await readLayer(rest, startsWith(head, GZIP), options.estimateCompressed ?? true))
    } else {
      for await (const _ of rest) void _
    }
  }
  await feeding

  const resolve = (name: string) => {
    let current = path.posix.normalize(name)
    for (let i = 0; i < 8 && links.has(current); i++) current = links.get(current)!
    return current
  }
  const blob = (digest: string) => `blobs/${digest.replace(':', '/')}`

  const manifest = jsonFiles.get('manifest.json') as Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }> | undefined
  if (Array.isArray(manifest) && manifest[0]?.Config && manifest[0].Layers) {
    const first = manifest[0]
    const configName = resolve(first.Config!)
    const layers = first.Layers!.map((l) => layerFiles.get(resolve(l)))
    const missing = first.Layers!.filter((_, i) => layers[i] === undefined)
    if (missing.length > 0) throw new DatapubError('INTERNAL', `The image archive lacks layers ${missing.join(', ')}.`)
    const digest = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(configName)?.[1] ?? /^([0-9a-f]{64})\.json$/.exec(configName)?.[1]
    return {
      format: jsonFiles.has('index.json') ? 'oci-layout' : 'docker-archive',
      ...(digest ? { configDigest: `sha256:${digest}` } : {}),
      config: (jsonFiles.get(configName) ?? {}) as ImageConfigSummary,
      repoTags: first.RepoTags ?? [],
      layers: layers as ParsedLayer[],
      warnings,
    }
  }
  // An OCI layout without Docker's manifest.json (skopeo, buildah): index -> manifest (-> index) -> config and layers.
  let node = jsonFiles.get('index.json') as { manifests?: Array<{ digest: string; mediaType?: string; platform?: { os?: string; architecture?: string } }> } | undefined
  for (let depth = 0; depth < 3 && node?.manifests; depth++) {
    const pick = node.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? node.manifests[0]
    node = pick ? (jsonFiles.get(blob(pick.digest)) as typeof node) : undefined
  }
  const oci = node as { config?: { digest: string }; layers?: Array<{ digest: string }> } | undefined
  if (oci?.config && oci.layers) {
    const layers = oci.layers.map((l) => layerFiles.get(blob(l.digest)))
    if (layers.some((l) => l === undefined)) throw new DatapubError('INTERNAL', 'The OCI layout lacks some of its layers.')
    return { format: 'oci-layout', configDigest: oci.config.digest, config: (jsonFiles.get(blob(oci.config.digest)) ?? {}) as ImageConfigSummary, repoTags: [], layers: layers as ParsedLayer[], warnings }
  }
  throw new DatapubError('IMAGE_NOT_FOUND', 'The stream is not an image archive: it has neither manifest.json nor an OCI index.', { hint: 'Give the output of `docker save` or an OCI layout tar.' })
}

function startsWith(buffer: Buffer, magic: number[]): boolean {
  return buffer.length >= magic.length && magic.every((b, i) => buffer[i] === b)
}

function isTarHeader(head: Buffer): boolean {
  return head.length >= 263 && head.subarray(257, 262).toString('latin1') === 'ustar'
}

/** The first `want` bytes of a stream (fewer at its end) and a stream of everything, those bytes included. */
async function peek(stream: Readable, want: number): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = stream[Symbol.asyncIterator]()
  const taken: Buffer[] = []
  let length = 0
  let done = false
  while (length < want) {
    const next = await iterator.next()
    if (next.done) {
      done = true
      break
    }
    taken.push(next.value as Buffer)
    length += (next.value as Buffer).length
  }
  const head = Buffer.concat(taken)
  const rest = Readable.from(
    (async function* () {
      if (head.length > 0) yield head
      if (done) return
      for (;;) {
        const next = await iterator.next()
        if (next.done) return
        yield next.value as Buffer
      }
    })(),
  )
  return { head, rest }
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
