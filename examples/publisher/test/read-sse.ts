export interface SseFrame {
  id?: string
  event: string
  data: string
}

/** Reads a whole Server-Sent Events response (until the server ends it) into frames, keeping the raw text too. */
export async function readSse(url: string, headers: Record<string, string> = {}): Promise<{ frames: SseFrame[]; raw: string; contentType: string | null }> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } })
  const raw = await response.text()
  const frames: SseFrame[] = []
  for (const block of raw.split('\n\n')) {
    const frame: SseFrame = { event: 'message', data: '' }
    let seen = false
    for (const line of block.split('\n')) {
      const at = line.indexOf(': ')
      if (line.startsWith(':') || at < 0) continue
      const [field, value] = [line.slice(0, at), line.slice(at + 2)]
      if (field === 'id') frame.id = value
      else if (field === 'event') frame.event = value
      else if (field === 'data') frame.data += value
      seen = true
    }
    if (seen) frames.push(frame)
  }
  return { frames, raw, contentType: response.headers.get('content-type') }
}
