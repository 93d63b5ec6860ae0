import { DatapubError } from '../errors/datapub-error.js'

/** An event stream that also offers its outcome as a promise. */
export interface ResultStream<E, R> extends AsyncGenerator<E, R> {
  /**
   * The generator's return value, or the error it threw. Awaiting it without iterating runs the
   * stream to the end and drops its events; iterate in the same tick to see them as well.
   */
  readonly result: Promise<R>
}

/** Wraps a generator so its outcome is also a promise: no manual `.next()` loop to read it. */
export function withResult<E, R>(source: AsyncGenerator<E, R>): ResultStream<E, R> {
  let settle!: { resolve(value: R): void; reject(error: unknown): void }
  const result = new Promise<R>((resolve, reject) => (settle = { resolve, reject }))
  // A caller who only iterates sees the error from the loop; the promise must not also be unhandled.
  result.catch(() => undefined)
  const stream = (async function* () {
    let settled = false
    try {
      const outcome = yield* source
      settled = true
      settle.resolve(outcome)
      return outcome
    } catch (error) {
      settled = true
      settle.reject(error)
      throw error
    } finally {
      if (!settled) settle.reject(new DatapubError('ABORTED', 'The event stream was closed before the run ended, so it has no outcome.'))
    }
  })()
  let started = false
  const next = stream.next.bind(stream)
  const drive: typeof stream.next = (...args) => {
    started = true
    return next(...args)
  }
  return Object.defineProperties(stream, {
    next: { value: drive },
    result: {
      get(): Promise<R> {
        setImmediate(() => {
          if (started) return
          started = true
          void (async () => {
            while (!(await next()).done);
          })().catch(() => undefined)
        })
        return result
      },
    },
  }) as ResultStream<E, R>
}
