import { get } from 'node:http'
import type { SseFrame } from './read-sse.js'

export interface SseFollower {
  /** Frames so far, in order; grows while the stream is open. */
  readonly frames: SseFrame[]
  /** Resolves when the server ends the stream (or `close()` is called). */
  readonly ended: Promise<void>
  /** Disconnects like a visitor closing the tab. */
  close(): void
}

/**
 * Follows an event stream live, frame by frame, so a test can look at it while the job runs.
 * Each stream has a connection of its own (no keep-alive pool whose reuse could race the
 * server closing an idle connection).
 */
export function followSse(url: string): SseFollower {
  const frames: SseFrame[] = []
  const controller = new AbortController()
  const ended = (async () => {
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      get(url, { agent: false, headers: { accept: 'text/event-stream' }, signal: controller.signal }, resolve).on('error', reject)
    })
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`)
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of response as AsyncIterable<Buffer>) {
      buffer += decoder.decode(chunk, { stream: true })
      let at: number
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at)
        buffer = buffer.slice(at + 2)
        const frame: SseFrame = { event: 'message', data: '' }
        let seen = false
        for (const line of block.split('\n')) {
          const colon = line.indexOf(': ')
          if (line.startsWith(':') || colon < 0) continue
          const [field, value] = [line.slice(0, colon), line.slice(colon + 2)]
          if (field === 'id') frame.id = value
          else if (field === 'event') frame.event = value
          else if (field === 'data') frame.data += value
          seen = true
        }
        if (seen) frames.push(frame)
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error
  })
  return { frames, ended, close: () => controller.abort() }
}

/** The queue positions a stream announced, in order. */
export const queuePositions = (frames: SseFrame[]): number[] => frames.filter((f) => f.event === 'queue').map((f) => (JSON.parse(f.data) as { position: number }).position)
