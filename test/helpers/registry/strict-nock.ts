import nock from 'nock'

// nock 15's interceptors call Promise.withResolvers, which Node gains only in 22; without it every
// https mock fails inside the socket layer on Node 20.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown }
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T | PromiseLike<T>) => void
  let reject!: (reason?: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export interface StrictNock {
  /** Throws when a mock was not used or a request matched none. Call in afterEach. */
  verify(): void
  restore(): void
}

/** Network off; any request without a mock, or a mock nobody called, fails the test. */
export function strictNock(): StrictNock {
  const unmatched: string[] = []
  const onNoMatch = (req: { method?: string; href?: string; path?: string; hostname?: string }): void => {
    unmatched.push(`${req.method ?? '?'} ${req.href ?? `${req.hostname ?? ''}${req.path ?? ''}`}`)
  }
  nock.disableNetConnect()
  nock.emitter.on('no match', onNoMatch)
  return {
    verify() {
      const pending = nock.pendingMocks()
      const problems = [...unmatched.map((u) => `unmatched request: ${u}`), ...pending.map((p) => `unused mock: ${p}`)]
      unmatched.length = 0
      nock.cleanAll()
      if (problems.length > 0) throw new Error(problems.join('\n'))
    },
    restore() {
      nock.emitter.removeListener('no match', onNoMatch)
      nock.cleanAll()
      nock.enableNetConnect()
    },
  }
}
