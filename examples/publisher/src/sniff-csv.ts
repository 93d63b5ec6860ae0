import { createReadStream } from 'node:fs'
import { UploadError } from './upload-error.js'

/**
 * Checks that a saved upload reads as a CSV/TSV: valid UTF-8 (a BOM is fine), no NUL bytes
 * (binary files), a non-empty header row that is not HTML. Reads the file in chunks, so
 * checking many large uploads at once costs a chunk each, not their size.
 */
export async function sniffCsv(file: string, displayName: string): Promise<void> {
  const fail = (message: string, hint: string) => new UploadError(400, 'UPLOAD_NOT_CSV', `${displayName}: ${message}`, hint, 'files')
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let size = 0
  let head = ''
  let headDone = false
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    size += chunk.length
    if (chunk.includes(0)) throw fail('the file is binary, not text.', 'Export the sheet as CSV (UTF-8) and upload that.')
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch {
      throw fail('the file is not UTF-8 text.', 'Save the file as "CSV UTF-8" and upload it again.')
    }
    if (!headDone) {
      head += text
      const newline = head.search(/\r?\n/)
      if (newline >= 0) (head = head.slice(0, newline), (headDone = true))
      else if (head.length > 1024 * 1024) headDone = true
    }
  }
  try {
    decoder.decode()
  } catch {
    throw fail('the file is not UTF-8 text.', 'Save the file as "CSV UTF-8" and upload it again.')
  }
  if (size === 0) throw fail('the file is empty.', 'Upload a CSV with a header row and at least one row.')
  const header = head.replace(/^\uFEFF/, '')
  if (header.trim() === '') throw fail('the first line (the header row) is empty.', 'Put the column names on the first line.')
  if (/^\s*<(!doctype|html|\?xml)/i.test(header)) throw fail('the file is HTML or XML, not CSV.', 'Upload the CSV file itself.')
}
