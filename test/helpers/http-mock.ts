import nock from 'nock'

/** nock's types, for helpers that build scopes: this file stays the only one that imports nock. */
export type Nock = typeof nock
export type { Scope as NockScope, RequestBodyMatcher } from 'nock'
import { afterEach, beforeEach, expect } from 'vitest'

/** Checks one request against a host's own schema; returns the violations (see test/oracles). */
export type ContractCheck = (request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body?: unknown }) => string[]

/**
 * The only file that imports nock. Network is disabled for the whole test file (loopback too,
 * unless `allowLoopback`); after each test every scope must have been used and no request may
 * have gone unmatched. `contracts` maps an origin to its host's oracle: every request a scope on
 * that origin answers is checked, and any violation fails the test, so a mock written from the
 * same wrong notes as the code cannot hide a misspelt or mistyped field.
 */
export function useHttpMock(options: { allowLoopback?: boolean; contracts?: Record<string, ContractCheck> } = {}): { nock: typeof nock; unmatched: string[]; violations: string[] } {
  const unmatched: string[] = []
  const violations: string[] = []
  const contracts = options.contracts ?? {}
  const wrapped = Object.assign((basePath: string | RegExp | URL, scopeOptions?: nock.Options) => {
    const scope = nock(basePath as string, scopeOptions)
    const check = typeof basePath === 'string' ? contracts[new URL(basePath).origin] : undefined
    if (check !== undefined) {
      scope.on('request', (req: { method?: string; path?: string; headers?: Record<string, string | string[] | undefined> }, _interceptor: unknown, body: string) => {
        let parsed: unknown = body
        try {
          parsed = body === '' || body === undefined ? undefined : (JSON.parse(body) as unknown)
        } catch {
          // Not JSON (an upload): the oracle sees the raw text.
        }
        violations.push(...check({ method: req.method ?? 'GET', path: req.path ?? '/', headers: req.headers ?? {}, body: parsed }))
      })
    }
    return scope
  }, nock) as typeof nock
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
    const broken = violations.splice(0)
    nock.cleanAll()
    nock.enableNetConnect()
    expect(seen, 'requests that matched no mock').toEqual([])
    expect(broken, "requests the host's own schema refuses").toEqual([])
    expect(pending, 'mocks that were never called').toEqual([])
  })
  return { nock: wrapped, unmatched, violations }
}
