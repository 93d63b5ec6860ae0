import { connect } from 'node:net'

export interface RawRequestPlan {
  /** Bytes written at once after connecting (request head and the start of a body, or nothing). */
  head: string | Buffer
  /** Then one byte every `trickleMs` until the server closes the connection. */
  trickleMs?: number
  /** Give up (and report `timedOut`) after this long. */
  giveUpMs: number
}

export interface RawRequestResult {
  /** HTTP status of the answer, if one came before the connection closed. */
  status?: number
  /** Raw response text. */
  response: string
  /** How long until the server closed the connection, milliseconds. */
  closedAfterMs: number
  /** The server never closed the connection within `giveUpMs`. */
  timedOut: boolean
}

/**
 * A misbehaving client on a raw socket: sends part of a request and then stalls (or trickles
 * a byte at a time), to see how long the server lets it hold the connection and what it answers.
 */
export function rawRequest(url: string, plan: RawRequestPlan): Promise<RawRequestResult> {
  const { hostname, port } = new URL(url)
  const started = Date.now()
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) })
    const chunks: Buffer[] = []
    let trickle: NodeJS.Timeout | undefined
    const giveUp = setTimeout(() => finish(true), plan.giveUpMs)
    const finish = (timedOut: boolean) => {
      clearTimeout(giveUp)
      clearInterval(trickle)
      socket.destroy()
      const response = Buffer.concat(chunks).toString('utf8')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]
      resolve({ ...(status === undefined ? {} : { status: Number(status) }), response, closedAfterMs: Date.now() - started, timedOut })
    }
    socket.on('connect', () => {
      if (plan.head.length > 0) socket.write(plan.head)
      if (plan.trickleMs !== undefined) trickle = setInterval(() => socket.writable && socket.write('1'), plan.trickleMs)
    })
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => finish(false))
  })
}

/** The head of a multipart POST to /api/publish declaring `contentLength` bytes, plus the start of a file part. */
export function stalledUploadHead(host: string, contentLength: number, boundary = 'stall-boundary'): string {
  return [
    'POST /api/publish HTTP/1.1',
    `Host: ${host}`,
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    `Content-Length: ${contentLength}`,
    '',
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="slow.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n`,
  ].join('\r\n')
}
