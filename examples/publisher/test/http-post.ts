import { request } from 'node:http'

/**
 * POSTs a body on a connection of its own and reads the answer. fetch() would reuse pooled
 * keep-alive connections, and a POST sent on one the server is just closing fails without a
 * retry: a race of the test's client, not of the server under test.
 */
export function httpPost(url: string, body: Buffer | string, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    // The server may answer (413) and close before the whole body is sent: the answer is what counts.
    req.on('error', reject)
    req.end(body)
  })
}

