import { UploadError } from './upload-error.js'

const ALLOWED_EXTENSIONS = new Set(['.csv', '.tsv'])

/**
 * A safe local name for an uploaded file: its last path segment only, refused outright when it
 * tries to climb (`..`), is absolute, hidden, or has no .csv/.tsv extension; other characters
 * become `_`. The stem becomes the table name, so it keeps letters, digits, `-` and `_`.
 */
export function sanitizeFileName(raw: string): string {
  const name = raw.normalize('NFC')
  if (name.includes('\0') || /(^|[\\/])\.\.([\\/]|$)/.test(name) || /^([\\/]|[A-Za-z]:)/.test(name) || /[\\/]/.test(name)) {
    throw new UploadError(400, 'UPLOAD_BAD_NAME', `The file name "${name.slice(0, 80)}" contains a path.`, 'Upload the file itself, named like data.csv, without folders.', 'files')
  }
  const dot = name.lastIndexOf('.')
  const ext = dot <= 0 ? '' : name.slice(dot).toLowerCase()
  if (!ALLOWED_EXTENSIONS.has(ext)) {
    throw new UploadError(400, 'UPLOAD_BAD_TYPE', `"${name.slice(0, 80)}" is not a .csv or .tsv file.`, 'Upload CSV or TSV files only.', 'files')
  }
  const stem = name
    .slice(0, dot)
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, 64)
  if (stem === '') throw new UploadError(400, 'UPLOAD_BAD_NAME', `"${name.slice(0, 80)}" has no usable name.`, 'Name the file with letters or digits, e.g. birds.csv.', 'files')
  return `${stem}${ext}`
}
