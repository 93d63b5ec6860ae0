import nock from 'nock'

/** nock's types, for helpers that build scopes: this file stays the only one that imports nock. */
export type Nock = typeof nock
export type { Scope as NockScope, RequestBodyMatcher } from 'nock'
import { afterEach, beforeEach, expect } from 'vitest'

/**
 * The only file that imports nock. Network is disabled for the whole test file (loopback too,
 * unless `allowLoopback`); after each test every scope must have been used and no request may
 * have gone unmatched.
 */
export function useHttpMock(options: { allowLoopback?: boolean } = {}): { nock: typeof nock; unmatched: string[] } {
  const unmatched: string[] = []
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/
  const onNoMatch = (req: { method?: string; path?: string; host?: string; hostname?: string }) => {
    // Loopback traffic that allowLoopback lets through to a real server is not a missing mock.
    if (options.allowLoopback && loopback.test(req.hostname ?? req.host ?? '')) return
    unmatched.push(`${req.method ?? '?'} ${req.hostname ?? req.host ?? ''}${req.path ?? ''}`)
  }
  beforeEach(() => {
    nock.disableNetConnect()
    if (options.allowLoopback) nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/)
    nock.emitter.on('no match', onNoMatch)
  })
  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch)
    const pending = nock.pendingMocks()
    const seen = unmatched.splice(0)
    nock.cleanAll()
    nock.enableNetConnect()
    expect(seen, 'requests that matched no mock').toEqual([])
    expect(pending, 'mocks that were never called').toEqual([])
  })
  return { nock, unmatched }
}
