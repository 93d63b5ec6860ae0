import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { DatapubError } from '../errors/datapub-error.js'

/**
 * Bytes to upload. A replayable source can be reopened after a failed attempt, which is what
 * lets an upload restart cleanly; a one-shot stream gets a single attempt.
 */
export interface BlobSource {
  digest?: string
  size?: number
  replayable: boolean
  /** Opens the bytes from `start` (inclusive) to `end` (exclusive); ranges only for replayable sources. */
  open(start?: number, end?: number): Readable
}

const READ_CHUNK = 1024 * 1024

/** A file on disk; the digest is computed ahead (one streaming pass) unless given. */
export async function blobFromFile(path: string, known: { digest?: string; size?: number } = {}): Promise<BlobSource> {
  const size = known.size ?? (await stat(path)).size
  const digest = known.digest ?? (await digestFile(path))
  return blobFromKnownFile(path, digest, size)
}

/** A file whose digest and size are already known (a layer datapub just wrote): not hashed again. */
export function blobFromKnownFile(path: string, digest: string, size: number): BlobSource {
  return {
    digest,
    size,
    replayable: true,
    open: (start = 0, end = size) =>
      end <= start ? Readable.from([]) : createReadStream(path, { start, end: end - 1, highWaterMark: READ_CHUNK }),
  }
}

export function blobFromBuffer(data: Buffer): BlobSource {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  return { digest, size: data.length, replayable: true, open: (start = 0, end = data.length) => Readable.from([data.subarray(start, end)]) }
}

/** A one-shot stream; the digest is computed while it uploads when not given. */
export function blobFromStream(stream: Readable, known: { digest?: string; size?: number } = {}): BlobSource {
  let opened = false
  return {
    ...known,
    replayable: false,
    open: () => {
      if (opened) throw new DatapubError('INTERNAL', 'A one-shot blob stream was opened twice.')
      opened = true
      return stream
    },
  }
}

/** A source whose bytes come from a factory (e.g. another registry); replayable because it can refetch. */
export function blobFromFactory(open: () => Readable, known: { digest: string; size: number }): BlobSource {
  return { ...known, replayable: true, open: (start = 0) => (start === 0 ? open() : skipBytes(open(), start)) }
}

export async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

function skipBytes(stream: Readable, count: number): Readable {
  let left = count
  const skipper = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length
        return done()
      }
      const out = chunk.subarray(left)
      left = 0
      done(null, out)
    },
  })
  stream.on('error', (error) => skipper.destroy(error))
  return stream.pipe(skipper)
}
