import type { PublishEvent } from '../contract/publish-event.js'
import { isDatapubError, type DatapubError } from '../errors/datapub-error.js'

export interface RecordedRun<R> {
  events: PublishEvent[]
  result?: R
  error?: DatapubError
  types(): string[]
  /** Everything a consumer could see (events, result, error) as one JSON string, for secret scans. */
  serialized(): string
}

/** Drains a publish stream, keeping events, the outcome or the coded error. Never throws a DatapubError. */
export async function recordEvents<R>(stream: AsyncGenerator<PublishEvent, R>): Promise<RecordedRun<R>> {
  const events: PublishEvent[] = []
  let result: R | undefined
  let error: DatapubError | undefined
  try {
    for (;;) {
      const next = await stream.next()
      if (next.done) {
        result = next.value
        break
      }
      events.push(next.value)
    }
  } catch (thrown) {
    if (!isDatapubError(thrown)) throw thrown
    error = thrown
  }
  return {
    events,
    ...(result === undefined ? {} : { result }),
    ...(error === undefined ? {} : { error }),
    types: () => events.map((e) => e.type),
    serialized: () => JSON.stringify({ events, result, error: error?.toJSON(), message: error?.message, hint: error?.hint }),
  }
}
