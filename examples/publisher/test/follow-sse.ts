import type { SseFrame } from './read-sse.js'

export interface SseFollower {
  /** Frames so far, in order; grows while the stream is open. */
  readonly frames: SseFrame[]
  /** Resolves when the server ends the stream (or `close()` is called). */
  readonly ended: Promise<void>
  /** Disconnects like a visitor closing the tab. */
  close(): void
}

/** Follows an event stream live, frame by frame, so a test can look at it while the job runs. */
export function followSse(url: string): SseFollower {
  const frames: SseFrame[] = []
  const controller = new AbortController()
  const ended = (async () => {
    const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal })
    if (response.body === null) return
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of response.body) {
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
