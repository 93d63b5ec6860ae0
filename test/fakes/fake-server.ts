import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  method: string
  /** Path without the query string. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Parsed JSON when the body is JSON, else undefined; `raw` always has the bytes. */
  body: unknown
  raw: Buffer
}

export interface FakeReply {
  status: number
  json?: unknown
  text?: string
  headers?: Record<string, string>
  /** Streams these lines with a short pause between them (build and release output). */
  lines?: string[]
}

export interface FakeServer {
  url: string
  port: number
  /** Every request as `METHOD /path -> status`, in order. */
  log: string[]
  close(): Promise<void>
}

/** A small HTTP server on 127.0.0.1 for a stateful host fake; the handler decides every answer. */
export async function startFakeServer(handle: (request: FakeRequest) => Promise<FakeReply> | FakeReply): Promise<FakeServer> {
  const log: string[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://fake.invalid')
      let body: unknown
      if (raw.length > 0 && /json/.test(String(req.headers['content-type'] ?? 'json'))) {
        try {
          body = JSON.parse(raw.toString('utf8')) as unknown
        } catch {
          body = undefined
        }
      }
      const request: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, raw }
      Promise.resolve()
        .then(() => handle(request))
        .then((reply) => send(res, reply))
        .catch((error: unknown) => send(res, { status: 500, json: { error: { message: `fake failed: ${(error as Error).message}` } } }))
        .finally(() => log.push(`${request.method} ${request.path} -> ${res.statusCode}`))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function send(res: ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.lines !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers })
    for (const line of reply.lines) {
      res.write(`${line}\n`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    res.end()
    return
  }
  const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '')
  res.writeHead(reply.status, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/html; charset=utf-8', ...reply.headers })
  res.end(text)
}

/** Forwards a request to a running deployment (a container on the local engine) and relays its answer. */
export async function relay(target: string, request: FakeRequest, path: string): Promise<FakeReply> {
  const response = await fetch(new URL(`${path.replace(/^\//, '')}${request.query.size > 0 ? `?${request.query}` : ''}`, target), { signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  return { status: response.status, text, headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' } }
}
