import type { Readable } from 'node:stream'

/** Lines of a streamed body, as they arrive (the events stream never ends while following). */
export async function* readLines(stream: Readable): AsyncGenerator<string> {
  let buffered = ''
  for await (const chunk of stream) {
    buffered += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      yield buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
    }
  }
  if (buffered !== '') yield buffered
}
