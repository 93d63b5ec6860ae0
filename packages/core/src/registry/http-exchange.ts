import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

export interface ExchangeRequest {
  method: string
  url: URL
  headers: Record<string, string>
  /** Called once per attempt (and again if a redirect must replay the body). */
  body?: () => Readable | Buffer
  /** Hosts whose Authorization header may be sent; any other host gets none. */
  authorizedHost: string
  agents: { http: http.Agent; https: https.Agent }
  signal?: AbortSignal
  /** Idle socket timeout; a stalled registry fails the attempt instead of hanging forever. */
  idleTimeoutMs: number
  maxRedirects?: number
}

export interface ExchangeResponse {
  status: number
  headers: http.IncomingHttpHeaders
  url: URL
  body: http.IncomingMessage
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * One HTTP exchange with manual redirects: blob GETs and uploads are often redirected to object
 * storage, and the registry's credentials must never follow them to another host.
 */
export async function httpExchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  let url = request.url
  let method = request.method
  let body = request.body
  for (let hop = 0; ; hop++) {
    const headers = { ...request.headers }
    if (url.host !== request.authorizedHost) {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') delete headers[key]
    }
    const response = await sendOnce(method, url, headers, body, request)
    if (!REDIRECTS.has(response.status) || hop >= (request.maxRedirects ?? 5)) return response
    const location = response.headers.location
    if (location === undefined) return response
    response.body.resume()
    const next = new URL(location, url)
    if (next.protocol !== 'https:' && next.protocol !== 'http:') return response
    // A downgrade from https to http would expose the body and any same-host credentials.
    if (url.protocol === 'https:' && next.protocol === 'http:') return response
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET'
      body = undefined
    }
    url = next
  }
}

function sendOnce(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: (() => Readable | Buffer) | undefined,
  request: ExchangeRequest,
): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http
    const req = transport.request(url, {
      method,
      headers,
      agent: url.protocol === 'https:' ? request.agents.https : request.agents.http,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    })
    let settled = false
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      reject(error)
    }
    req.setTimeout(request.idleTimeoutMs, () => req.destroy(Object.assign(new Error(`socket idle for ${request.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })))
    req.on('error', fail)
    req.on('response', (res) => {
      if (settled) {
        res.resume()
        return
      }
      settled = true
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res })
    })
    const payload = body?.()
    if (payload === undefined) req.end()
    else if (Buffer.isBuffer(payload)) req.end(payload)
    else {
      payload.on('error', (error) => req.destroy(error))
      // pipe() gives backpressure: the file is read only as fast as the socket drains.
      payload.pipe(req)
    }
  })
}

export async function readBody(response: ExchangeResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) {
      response.body.destroy()
      throw Object.assign(new Error(`response body over ${limit} bytes`), { code: 'ERR_BODY_TOO_LARGE' })
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export function discardBody(response: ExchangeResponse): void {
  response.body.resume()
}
