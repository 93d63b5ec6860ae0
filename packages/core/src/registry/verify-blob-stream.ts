import { createHash } from 'node:crypto'
import { PassThrough, Transform, type Readable } from 'node:stream'
import { DatapubError } from '../errors/datapub-error.js'

export interface BlobIdentity {
  registry: string
  repository: string
  digest: string
  /** The size the manifest gives, when known: more bytes than that fail at once. */
  size?: number | undefined
}

/**
 * A blob as the registry serves it, checked against the digest that names it: a registry (or
 * anything between) that serves other bytes must not get them into an image. The last chunk is
 * held back until the hash is known, so a consumer never sees the end of a corrupt blob as a
 * clean end of stream; it sees an error instead.
 */
export function verifyBlobStream(body: Readable, blob: BlobIdentity, networkError: (error: unknown) => DatapubError): Readable {
  const algorithm = blob.digest.split(':', 1)[0]
  // Only sha256 is in use by any registry datapub talks to; other algorithms pass unchecked.
  if (algorithm !== 'sha256') {
    const coded = new PassThrough()
    body.on('error', (error) => coded.destroy(networkError(error)))
    return body.pipe(coded)
  }
  const hash = createHash('sha256')
  let seen = 0
  let held: Buffer | undefined
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (blob.size !== undefined && seen > blob.size) return callback(corrupt(blob, `more than the ${blob.size} bytes its manifest gives`))
      hash.update(chunk)
      const previous = held
      held = chunk
      callback(null, previous)
    },
    flush(callback) {
      if (blob.size !== undefined && seen !== blob.size) return callback(corrupt(blob, `${seen} bytes, not the ${blob.size} its manifest gives`))
      const computed = `sha256:${hash.digest('hex')}`
      if (computed !== blob.digest) return callback(corrupt(blob, `bytes whose digest is ${computed}`))
      callback(null, held)
    },
  })
  // A body cut short or stalled past the idle timeout ends the stream with a coded error, never a short blob.
  body.on('error', (error) => check.destroy(networkError(error)))
  return body.pipe(check)
}

function corrupt(blob: BlobIdentity, what: string): DatapubError {
  return new DatapubError('REGISTRY_CORRUPT', `${blob.registry} served ${what} for ${blob.repository}@${blob.digest}; nothing was made from it.`, {
    fault: 'host',
    hint: 'The registry (or a proxy in front of it) returned damaged data; retry, and report it to the registry operator if it persists.',
    details: { registry: blob.registry, repository: blob.repository, digest: blob.digest },
  })
}
