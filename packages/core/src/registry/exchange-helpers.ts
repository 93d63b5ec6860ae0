import { Transform, type Readable } from 'node:stream'
import type { ExchangeResponse } from './http-exchange.js'

export function headerOf(response: ExchangeResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

export function withDigest(location: URL, digest: string): URL {
  const url = new URL(location)
  url.searchParams.append('digest', digest)
  return url
}

export function countBytes(stream: Readable, report: (bytes: number) => void, observe?: (chunk: Buffer) => void): Readable {
  let bytes = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      observe?.(chunk)
      report(bytes)
      done(null, chunk)
    },
  })
  stream.on('error', (error) => counter.destroy(error))
  return stream.pipe(counter)
}
