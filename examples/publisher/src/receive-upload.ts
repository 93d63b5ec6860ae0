import { createWriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import busboy from 'busboy'
import { sanitizeFileName } from './sanitize-file-name.js'
import { sniffCsv } from './sniff-csv.js'
import { UploadError } from './upload-error.js'

export interface UploadLimits {
  maxFileBytes: number
  maxTotalBytes: number
  maxFiles: number
  /** The whole upload must arrive within this, milliseconds. */
  uploadTimeoutMs: number
  /** The upload may not go silent for longer than this, milliseconds. */
  idleTimeoutMs: number
}

export interface ReceivedUpload {
  /** Absolute paths of the saved files, inside `dir`. */
  files: string[]
  fields: Record<string, string>
}

const CSV_TYPES = new Set(['text/csv', 'text/tab-separated-values', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/octet-stream', 'text/x-csv'])
const MAX_FIELD_BYTES = 64 * 1024

/**
 * Streams a multipart/form-data request to `dir` (the job's own folder): files in the `files`
 * field only, each under `maxFileBytes` and all under `maxTotalBytes`, names sanitised, content
 * type and content checked. Any violation rejects with an UploadError; the caller removes `dir`.
 */
export async function receiveUpload(request: IncomingMessage, dir: string, limits: UploadLimits): Promise<ReceivedUpload> {
  const type = request.headers['content-type'] ?? ''
  if (!/^multipart\/form-data\b/i.test(type)) throw new UploadError(415, 'UPLOAD_NOT_MULTIPART', 'Send the form as multipart/form-data.', 'Use the page\'s form, or curl -F files=@data.csv.')
  const declared = Number(request.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes + 1024 * 1024) throw tooLarge(limits)

  const files: Array<{ file: string; display: string }> = []
  const fields: Record<string, string> = {}
  const writes: Array<Promise<void>> = []
  const names = new Set<string>()
  let total = 0
  let failure: UploadError | undefined

  const streams = new Set<NodeJS.ReadableStream & { destroy(error?: Error): void }>()
  let stopTimers = () => undefined as void
  const received = new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: request.headers, preservePath: true, limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fieldSize: MAX_FIELD_BYTES, fields: 50, parts: limits.maxFiles + 50 } })
    } catch {
      reject(new UploadError(400, 'UPLOAD_MALFORMED', 'The form data could not be read.', 'Send multipart/form-data with a boundary.'))
      return
    }
    const fail = (error: UploadError) => {
      failure ??= error
    }
    parser.on('file', (field, stream, info) => {
      if (failure !== undefined) return void stream.resume()
      if (field !== 'files') return fail(new UploadError(400, 'UPLOAD_UNEXPECTED_FILE', `Files go in the "files" field, not "${field.slice(0, 40)}".`, undefined, field)), void stream.resume()
      if (info.filename === undefined || info.filename === '') return void stream.resume()
      let name: string
      try {
        name = sanitizeFileName(info.filename)
      } catch (error) {
        return fail(error as UploadError), void stream.resume()
      }
      if (!CSV_TYPES.has(info.mimeType.toLowerCase())) {
        return fail(new UploadError(415, 'UPLOAD_BAD_TYPE', `${name} was sent as ${info.mimeType.slice(0, 60)}, not CSV.`, 'Upload CSV or TSV files only.', 'files')), void stream.resume()
      }
      if (names.has(name.toLowerCase())) {
        return fail(new UploadError(400, 'UPLOAD_DUPLICATE_NAME', `Two files are named ${name}.`, 'Each file becomes a table named after it; rename one of them.', 'files')), void stream.resume()
      }
      names.add(name.toLowerCase())
      streams.add(stream)
      const file = path.join(dir, name)
      files.push({ file, display: name })
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          total += chunk.length
          // Past the limit: keep reading (so the client gets an answer) but write nothing more.
          if (total > limits.maxTotalBytes) return fail(tooLarge(limits)), done()
          done(null, chunk)
        },
      })
      stream.on('limit', () => fail(new UploadError(413, 'UPLOAD_FILE_TOO_LARGE', `${name} is larger than ${mib(limits.maxFileBytes)}.`, `Upload files of at most ${mib(limits.maxFileBytes)} each.`, 'files')))
      writes.push(
        pipeline(stream, counter, createWriteStream(file, { flags: 'wx', mode: 0o600 })).catch((error: unknown) => {
          stream.resume()
          fail(error instanceof UploadError ? error : new UploadError(400, 'UPLOAD_INTERRUPTED', `${name} could not be received.`, 'Try the upload again.', 'files'))
        }),
      )
    })
    parser.on('field', (field, value, info) => {
      if (info.valueTruncated) return fail(new UploadError(413, 'UPLOAD_FIELD_TOO_LARGE', `The field "${field.slice(0, 40)}" is too long.`, undefined, field))
      fields[field] = value
    })
    parser.on('filesLimit', () => fail(new UploadError(413, 'UPLOAD_TOO_MANY_FILES', `At most ${limits.maxFiles} files per publish.`, 'Publish fewer files, or combine them.', 'files')))
    parser.on('fieldsLimit', () => fail(new UploadError(413, 'UPLOAD_TOO_MANY_FIELDS', 'The form has too many fields.')))
    parser.on('partsLimit', () => fail(new UploadError(413, 'UPLOAD_TOO_MANY_FIELDS', 'The form has too many parts.')))
    parser.on('error', () => reject(failure ?? new UploadError(400, 'UPLOAD_MALFORMED', 'The form data could not be read.', 'Send multipart/form-data.')))
    parser.on('close', () => resolve())
    request.on('close', () => {
      if (!request.complete) reject(new UploadError(400, 'UPLOAD_INTERRUPTED', 'The upload was interrupted.'))
    })
    stopTimers = uploadDeadlines(request, limits, reject)
    request.pipe(parser)
  })
  try {
    await received
  } catch (error) {
    // Stop reading and unblock the file writes, so no descriptor stays open on the folder the caller removes.
    request.unpipe()
    for (const stream of streams) stream.destroy(new Error('upload stopped'))
    await Promise.allSettled(writes)
    throw error
  } finally {
    stopTimers()
  }
  await Promise.all(writes)
  if (failure !== undefined) throw failure
  if (files.length === 0) throw new UploadError(400, 'UPLOAD_NO_FILES', 'No CSV files were uploaded.', 'Choose at least one .csv or .tsv file.', 'files')
  for (const { file, display } of files) await sniffCsv(file, display)
  return { files: files.map((f) => f.file), fields }
}

/**
 * Two clocks on one upload: a deadline for the whole body and an idle timer reset by every
 * chunk. A client that trickles a byte at a time meets the first, one that stops sending the
 * second. Either rejects with 408. The idle check runs after pending I/O (setImmediate), so a
 * busy event loop that delayed reading the data is not mistaken for a silent client.
 */
function uploadDeadlines(request: IncomingMessage, limits: UploadLimits, reject: (error: UploadError) => void): () => void {
  let last = Date.now()
  const onData = () => (last = Date.now())
  request.on('data', onData)
  const deadline = setTimeout(() => reject(new UploadError(408, 'UPLOAD_TIMEOUT', `The upload took longer than ${seconds(limits.uploadTimeoutMs)}.`, 'Try again on a faster connection, or upload less data at once.')), limits.uploadTimeoutMs)
  let idle: NodeJS.Timeout
  const arm = (ms: number) => {
    idle = setTimeout(() => setImmediate(() => {
      const quiet = Date.now() - last
      if (quiet >= limits.idleTimeoutMs) reject(new UploadError(408, 'UPLOAD_STALLED', `The upload stopped sending data for ${seconds(limits.idleTimeoutMs)}.`, 'Check your connection and publish again.'))
      else arm(limits.idleTimeoutMs - quiet)
    }), ms)
  }
  arm(limits.idleTimeoutMs)
  return () => {
    clearTimeout(deadline)
    clearTimeout(idle)
    request.off('data', onData)
  }
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`
}

function tooLarge(limits: UploadLimits): UploadError {
  return new UploadError(413, 'UPLOAD_TOO_LARGE', `The upload is larger than ${mib(limits.maxTotalBytes)} in total.`, `Upload at most ${mib(limits.maxTotalBytes)} per publish.`, 'files')
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}
