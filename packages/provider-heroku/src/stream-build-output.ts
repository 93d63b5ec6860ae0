import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { createKitHttpClient, type Emit, type HttpClientFactory, type Logger } from '@datapub/core/kit'

const KEEP = 40

/**
 * Streams the build's output as `image:build:log` events and keeps the last lines for an error
 * message. The URL is a signed build-output link: no Heroku credentials go with it. A broken
 * stream only costs the log; the build's status still comes from polling.
 */
export async function streamBuildOutput(url: string, http: HttpClientFactory, emit: Emit, logger: Logger, signal: AbortSignal): Promise<string[]> {
  const tail: string[] = []
  try {
    const client = createKitHttpClient(http, { baseURL: url, provider: 'heroku', timeoutMs: 30 * 60_000 })
    const response = await client.request<Readable>({ method: 'GET', path: '', responseType: 'stream', signal })
    const lines = createInterface({ input: response.body, crlfDelay: Infinity })
    for await (const raw of lines) {
      const line = raw.trimEnd()
      emit({ type: 'image:build:log', line })
      tail.push(line)
      if (tail.length > KEEP) tail.shift()
    }
  } catch (error) {
    logger.warn(`Heroku build output stream ended early: ${(error as Error).message}`)
  }
  return tail
}
