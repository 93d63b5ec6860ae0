import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Transform } from 'node:stream'

export type InjectedFault =
  | { kind: 'status'; status: number; retryAfter?: string; headers?: Record<string, string> }
  /** Forwards this many request-body bytes, then drops both connections. */
  | { kind: 'reset-request'; afterBytes: number }
  /** Forwards this many response-body bytes, then drops the client connection. */
  | { kind: 'reset-response'; afterBytes: number }
  | { kind: 'slow'; delayMs: number }
  /** A lying registry: serves the upstream body with the byte at `at` flipped (same length), or with `append` extra bytes. */
  | { kind: 'corrupt-body'; at?: number; append?: number }
  /** A lying registry: the upstream answer with these response headers replaced (e.g. a wrong Docker-Content-Digest). */
  | { kind: 'set-headers'; headers: Record<string, string> }

export interface FaultRule {
  method?: string
  /** Matched against the path (no query). */
  path?: RegExp
  /** Matched against the whole request (e.g. the bearer token it carries). */
  when?: (request: http.IncomingMessage) => boolean
  fault: InjectedFault
  /** How many matching requests get the fault. */
  times: number
}

export interface FaultProxy {
  host: string
  /** Each request seen: method, path, the fault applied (if any) and the status returned. */
  log: Array<{ method: string; path: string; fault?: InjectedFault['kind']; status?: number }>
  inject(rule: FaultRule): void
  /** Rules that still have faults left to apply (a test asserts they all fired). */
  pending(): FaultRule[]
  stop(): Promise<void>
}

/** An HTTP proxy in front of a registry that injects 429s, 5xx, resets mid-body and slow answers. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const rules: FaultRule[] = []
  const log: FaultProxy['log'] = []
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    const method = req.method ?? 'GET'
    const rule = rules.find((r) => r.times > 0 && (r.method === undefined || r.method === method) && (r.path === undefined || r.path.test(path)) && (r.when === undefined || r.when(req)))
    const entry: FaultProxy['log'][number] = { method, path }
    log.push(entry)
    if (rule !== undefined) {
      rule.times--
      entry.fault = rule.fault.kind
    }
    const fault = rule?.fault
    if (fault?.kind === 'status') {
      req.resume()
      req.on('end', () => {
        entry.status = fault.status
        res.writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
          ...fault.headers,
        })
        const code = fault.status === 429 ? 'TOOMANYREQUESTS' : fault.status === 401 ? 'UNAUTHORIZED' : 'UNKNOWN'
        res.end(JSON.stringify({ errors: [{ code, message: 'injected fault' }] }))
      })
      return
    }
    const forward = (): void => {
      const upstreamRequest = http.request({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method, path: req.url, headers: req.headers, agent })
      upstreamRequest.on('error', () => res.socket?.destroy())
      upstreamRequest.on('response', (upstreamResponse) => {
        entry.status = upstreamResponse.statusCode
        const headers = { ...upstreamResponse.headers, ...(fault?.kind === 'set-headers' ? fault.headers : {}) }
        if (fault?.kind === 'corrupt-body' && fault.append !== undefined && headers['content-length'] !== undefined) {
          headers['content-length'] = String(Number(headers['content-length']) + fault.append)
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, headers)
        if (fault?.kind === 'corrupt-body') {
          upstreamResponse.pipe(corrupt(fault.at ?? 0, fault.append ?? 0)).pipe(res)
        } else if (fault?.kind === 'reset-response') {
          upstreamResponse.pipe(cutAfter(fault.afterBytes, () => (res.socket?.destroy(), upstreamResponse.destroy()))).pipe(res)
        } else upstreamResponse.pipe(res)
      })
      if (fault?.kind === 'reset-request') {
        req.pipe(cutAfter(fault.afterBytes, () => (upstreamRequest.destroy(), req.socket.destroy()))).pipe(upstreamRequest)
      } else req.pipe(upstreamRequest)
    }
    if (fault?.kind === 'slow') setTimeout(forward, fault.delayMs)
    else forward()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    log,
    inject: (rule) => rules.push(rule),
    pending: () => rules.filter((r) => r.times > 0),
    stop: () =>
      new Promise((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function cutAfter(limit: number, cut: () => void): Transform {
  let seen = 0
  let done = false
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (done) return callback()
      if (seen + chunk.length < limit) {
        seen += chunk.length
        return callback(null, chunk)
      }
      done = true
      this.push(chunk.subarray(0, limit - seen))
      callback()
      // Let the partial bytes reach the other side before the connection drops.
      setImmediate(cut)
    },
  })
}

/** Flips the byte at `at` (when the body reaches it) and appends `append` bytes at the end. */
function corrupt(at: number, append: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (append === 0 && at >= seen && at < seen + chunk.length) {
        const copy = Buffer.from(chunk)
        copy[at - seen] = copy[at - seen]! ^ 0xff
        chunk = copy
      }
      seen += chunk.length
      callback(null, chunk)
    },
    flush(callback) {
      callback(null, append > 0 ? Buffer.alloc(append, 0x41) : undefined)
    },
  })
}
