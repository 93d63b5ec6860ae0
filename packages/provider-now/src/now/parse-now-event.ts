export type NowEvent =
  | { kind: 'state'; value: string }
  | { kind: 'log'; line: string }
  | { kind: 'other' }

/** One JSON line of the v1 events stream (`format=lines`). Unparseable lines are plain output. */
export function parseNowEvent(text: string): NowEvent | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  let event: { type?: unknown; payload?: unknown; text?: unknown }
  try {
    event = JSON.parse(trimmed) as typeof event
  } catch {
    return { kind: 'log', line: trimmed }
  }
  const payload = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as { value?: unknown; text?: unknown }
  if (event.type === 'state-change' && typeof payload.value === 'string') return { kind: 'state', value: payload.value }
  const line = typeof payload.text === 'string' ? payload.text : typeof event.text === 'string' ? event.text : typeof event.payload === 'string' ? event.payload : undefined
  if ((event.type === 'stdout' || event.type === 'stderr' || event.type === 'command' || event.type === 'build-start') && line !== undefined) {
    return { kind: 'log', line: line.replace(/\s+$/, '') }
  }
  return { kind: 'other' }
}

const IMAGE_TOO_LARGE = /built image size \(([\d.]+\s*[KMGT]?i?B?)\) exceeds the (\d+)\s*MiB limit/i

/** The build's image-size failure line: "The built image size (312.4M) exceeds the 100MiB limit". */
export function imageTooLarge(line: string): { size: string; limitMiB: number } | undefined {
  const match = IMAGE_TOO_LARGE.exec(line)
  return match === null ? undefined : { size: match[1]!, limitMiB: Number(match[2]) }
}
