import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream } from '../util/tar-stream.js'
import { DatapubError } from '../errors/datapub-error.js'

export interface WalkedLayer {
  /** The entry's name in the archive (`<id>/layer.tar`, `blobs/sha256/...`). */
  name: string
  /** The blob as stored: gzip-compressed, or a plain tar. */
  gzipped: boolean
}

export interface WalkedArchive<L> {
  format: 'docker-archive' | 'oci-layout'
  /** The config blob's exact bytes (its sha256 is the image id); absent when the archive lacks it. */
  config?: Buffer
  /** sha256:... of the config blob, when the archive's names tell it. */
  configDigest?: string
  repoTags: string[]
  /** What `onLayer` made of each of the image's layers, in the image's order. */
  layers: L[]
  warnings: string[]
}

const JSON_LIMIT = 64 * 1024 * 1024
const GZIP = [0x1f, 0x8b]
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]

/**
 * The one reader of `docker save` streams, for analysis and for push alike: one pass, nothing
 * but small JSON kept in memory. Both layouts engines produce are understood: the legacy one
 * (`<id>/layer.tar`, `<id>.json`, manifest.json) and the OCI layout of Docker 25+
 * (`blobs/sha256/...`, index.json, plus a compatible manifest.json); an OCI layout without
 * manifest.json (skopeo, buildah) is followed from its index. The manifest usually comes last,
 * so every entry is classified by its first bytes (JSON, gzip, tar) and each layer is handed to
 * `onLayer` as it streams past; the manifest then says which are the image's, in what order.
 */
export async function walkImageArchive<L>(source: Readable, onLayer: (blob: Readable, layer: WalkedLayer) => Promise<L>): Promise<WalkedArchive<L>> {
  const json = new Map<string, Buffer>()
  const layerFiles = new Map<string, L>()
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
      json.set(name, Buffer.concat(chunks))
    } else if (startsWith(head, ZSTD)) {
      warnings.push(`${name}: zstd-compressed layer; its files are not analysed`)
      for await (const _ of rest) void _
    } else if (startsWith(head, GZIP) || isTarHeader(head) || (head.length > 0 && head.every((b) => b === 0))) {
      layerFiles.set(name, await onLayer(rest, { name, gzipped: startsWith(head, GZIP) }))
    } else {
      for await (const _ of rest) void _
    }
  }
  await feeding

  const resolve = (name: string) => {
    let current = path.posix.normalize(name)
    for (let i = 0; i < 16 && links.has(current); i++) current = links.get(current)!
    return current
  }
  const parsed = (name: string): unknown => {
    const bytes = json.get(name)
    if (bytes === undefined) return undefined
    try {
      return JSON.parse(bytes.toString('utf8'))
    } catch {
      // Not JSON after all (a layer cannot start with "{"): treated as absent.
      return undefined
    }
  }
  const blob = (digest: string) => `blobs/${digest.replace(':', '/')}`

  const manifest = parsed('manifest.json') as Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }> | undefined
  if (Array.isArray(manifest) && manifest[0]?.Config && manifest[0].Layers) {
    const first = manifest[0]
    const configName = resolve(first.Config!)
    const layers = first.Layers!.map((l) => layerFiles.get(resolve(l)))
    const missing = first.Layers!.filter((_, i) => layers[i] === undefined)
    if (missing.length > 0) throw new DatapubError('INTERNAL', `The image archive lacks layers ${missing.join(', ')}.`)
    const config = json.get(configName)
    const digest = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(configName)?.[1] ?? /^([0-9a-f]{64})\.json$/.exec(configName)?.[1]
    return { format: json.has('index.json') ? 'oci-layout' : 'docker-archive', ...(config === undefined ? {} : { config }), ...(digest ? { configDigest: `sha256:${digest}` } : {}), repoTags: first.RepoTags ?? [], layers: layers as L[], warnings }
  }
  let node = parsed('index.json') as { manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }> } | undefined
  for (let depth = 0; depth < 3 && node?.manifests; depth++) {
    const pick = node.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? node.manifests[0]
    node = pick ? (parsed(blob(pick.digest)) as typeof node) : undefined
  }
  const oci = node as { config?: { digest: string }; layers?: Array<{ digest: string }> } | undefined
  if (oci?.config && oci.layers) {
    const layers = oci.layers.map((l) => layerFiles.get(blob(l.digest)))
    if (layers.some((l) => l === undefined)) throw new DatapubError('INTERNAL', 'The OCI layout lacks some of its layers.')
    const config = json.get(blob(oci.config.digest))
    return { format: 'oci-layout', ...(config === undefined ? {} : { config }), configDigest: oci.config.digest, repoTags: [], layers: layers as L[], warnings }
  }
  throw new DatapubError('IMAGE_NOT_FOUND', 'The stream is not an image archive: it has neither manifest.json nor an OCI index.', { hint: 'Give the output of `docker save` or an OCI layout tar, and check that the image exists on the engine.' })
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
