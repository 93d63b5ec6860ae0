import { abortedError } from './aborted-error.js'

/**
 * Waits `ms`, or rejects with the ABORTED DatapubError the moment `signal` aborts, so Ctrl-C
 * never waits out a poll interval. The timer keeps the process alive: a CLI waiting between
 * polls has nothing else pending, and an unref'd timer let it exit mid-publish (code 13).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortedError(signal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
