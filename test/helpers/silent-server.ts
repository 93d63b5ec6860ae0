import net from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * How a host fails to answer:
 * - `silent`: accepts the connection, reads the request, never sends a byte;
 * - `headers-only`: sends a 200 status line and headers (chunked, or a Content-Length it never
 *   fills) and then nothing, so the body never ends;
 * - `mid-body`: sends headers with a Content-Length and half the body, then stalls.
 * The connection stays open in every mode: only the client's own deadline can end the call.
 */
export type SilentMode = 'silent' | 'headers-only' | 'mid-body'

export interface SilentRequest {
  method: string
  path: string
  at: number
}

export interface SilentServer {
  /** `127.0.0.1:PORT` */
  host: string
  url: string
  /** Every request head seen, in order: a test asserts writes were not repeated blindly. */
  requests: SilentRequest[]
  /** Requests whose method is not GET or HEAD. */
  writes(): SilentRequest[]
  /** Sockets still open (a client that gave up must have closed its side; the server keeps it until stop). */
  openSockets(): number
  stop(): Promise<void>
}

export interface SilentServerOptions {
  mode: SilentMode
  /** Answer these requests normally instead (e.g. a registry's GET /v2/ ping), by method and path. */
  answer?: (method: string, path: string) => { status: number; headers?: Record<string, string>; body?: string } | undefined
  /** Body the stalled answers pretend to send (a JSON object of this size). */
  bodyBytes?: number
}

/** A raw TCP server speaking just enough HTTP/1.1 to stall clients in the chosen way; loopback only. */
export async function startSilentServer(options: SilentServerOptions): Promise<SilentServer> {
  const requests: SilentRequest[] = []
  const sockets = new Set<net.Socket>()
  const started = Date.now()
  const bodyBytes = options.bodyBytes ?? 64
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffered = ''
    socket.on('data', (data) => {
      buffered += data.toString('latin1')
      // One request head per connection is all a stalled answer ever gets to read; keep-alive
      // clients that reuse the socket after a normal answer get their next head parsed too.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buffered.slice(0, end)
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        const [method = '', path = ''] = head.split('\r\n', 1)[0]!.split(' ')
        if (buffered.length < end + 4 + length && !/\r\ntransfer-encoding:\s*chunked/i.test(head)) return
        buffered = buffered.slice(end + 4 + length)
        requests.push({ method, path, at: Date.now() - started })
        const normal = options.answer?.(method, path)
        if (normal !== undefined) {
          const body = normal.body ?? ''
          const headers = { 'content-length': String(Buffer.byteLength(body)), ...normal.headers }
          socket.write(`HTTP/1.1 ${normal.status} X\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`)
          continue
        }
        const body = JSON.stringify({ padding: 'x'.repeat(Math.max(0, bodyBytes - 14)) })
        if (options.mode === 'headers-only') socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`)
        else if (options.mode === 'mid-body') socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, body.length >> 1)}`)
        // silent: nothing at all
        buffered = ''
        return
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
    openSockets: () => sockets.size,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
