export interface Part {
  name: string
  value: string | Buffer
  /** Present for file parts. */
  filename?: string
  type?: string
}

/** A multipart/form-data body written by hand, so tests control file names and types exactly. */
export function multipartBody(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----publisher-test-${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.filename === undefined ? '' : `Content-Type: ${part.type ?? 'text/csv'}\r\n`}\r\n`
    chunks.push(Buffer.from(head), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}
