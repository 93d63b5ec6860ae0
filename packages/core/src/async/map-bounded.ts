import { abortedError } from './aborted-error.js'

/**
 * Runs `fn` over `items` with at most `limit` in flight, results in input order. The first
 * failure (or an abort) stops new calls from starting and is rethrown once the calls in flight
 * have settled, so nothing keeps running behind the caller's back.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      if (signal?.aborted) {
        failed ??= { error: abortedError(signal) }
        return
      }
      const index = next++
      try {
        results[index] = await fn(items[index] as T, index)
      } catch (error) {
        failed ??= { error }
      }
    }
  }
  const width = Math.min(Math.max(1, Math.floor(limit) || 1), items.length)
  await Promise.all(Array.from({ length: width }, worker))
  if (failed !== undefined) throw failed.error
  if (signal?.aborted) throw abortedError(signal)
  return results
}
