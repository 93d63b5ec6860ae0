import { describe, expect, it } from 'vitest'
import { HttpError, isHttpError } from '../../src/http/http-error.js'
import { mapHttpError } from '../../src/http/map-http-error.js'
import { retryAfterMs } from '../../src/http/retry-after-ms.js'
import { registerSecret } from '../../src/http/redact.js'
import { isDatapubError } from '../../src/errors/datapub-error.js'

const TOKEN = 'sentinel-http-error-token-9931'
registerSecret(TOKEN)

const answered = (status: number, body: unknown = {}, headers: Record<string, string> = {}) =>
  new HttpError(`ACME_HTTP_${status}`, `GET https://api.example.test/v1 answered ${status}.`, {
    provider: 'acme',
    method: 'get',
    url: `https://api.example.test/v1?token=${TOKEN}`,
    status,
    response: { status, headers: { 'set-cookie': `sid=${TOKEN}`, ...headers }, body },
    retryable: status >= 500 || status === 429,
  })

describe('HttpError', () => {
  it('is a DatapubError with status, method and a redacted url', () => {
    const error = answered(503, { error: { message: `echo ${TOKEN}` } })
    expect(isDatapubError(error)).toBe(true)
    expect(isHttpError(error)).toBe(true)
    expect(isHttpError(new Error('x'))).toBe(false)
    expect(error).toMatchObject({ code: 'ACME_HTTP_503', status: 503, method: 'GET', retryable: true })
    expect(error.url).not.toContain(TOKEN)
  })

  it('keeps the response off the enumerable and serialised surface, redacted', () => {
    const error = answered(401, { error: { message: `echo ${TOKEN}` } })
    expect(Object.keys(error)).not.toContain('response')
    expect(error.response?.status).toBe(401)
    expect(JSON.stringify(error)).not.toContain('set-cookie')
    expect(JSON.stringify(error.response)).not.toContain(TOKEN)
  })
})

describe('mapHttpError', () => {
  const table = {
    401: { code: 'ACME_AUTH_FAILED', message: 'The token was refused.', fault: 'user' as const, hint: 'Check ACME_TOKEN.' },
    403: [
      { code: 'ACME_PLAN_LIMIT', message: 'The plan does not allow this.', when: (e: HttpError) => (e.response?.body as { code?: string }).code === 'plan' },
      { code: 'ACME_FORBIDDEN', message: (e: HttpError) => `Forbidden (${e.status}).` },
    ],
    404: (e: HttpError) => (e.method === 'DELETE' ? undefined : new Error('gone')),
  }

  it('maps a status to the coded error of its row, keeping the original as cause', () => {
    const original = answered(401)
    const mapped = mapHttpError(original, table)
    expect(mapped).toMatchObject({ code: 'ACME_AUTH_FAILED', fault: 'user', hint: 'Check ACME_TOKEN.', provider: 'acme', details: { status: 401 } })
    expect((mapped as Error).cause).toBe(original)
  })

  it('tries a status row list in order by its condition', () => {
    expect(mapHttpError(answered(403, { code: 'plan' }), table)).toMatchObject({ code: 'ACME_PLAN_LIMIT' })
    expect(mapHttpError(answered(403, { code: 'other' }), table)).toMatchObject({ code: 'ACME_FORBIDDEN', message: 'Forbidden (403).' })
  })

  it('returns anything unmapped unchanged', () => {
    const unmapped = answered(500)
    expect(mapHttpError(unmapped, table)).toBe(unmapped)
    const plain = new Error('not http')
    expect(mapHttpError(plain, table)).toBe(plain)
    expect(mapHttpError(answered(404), table)).toMatchObject({ message: 'gone' })
  })

  it('falls back to the default row', () => {
    expect(mapHttpError(answered(418), { default: { code: 'ACME_HTTP', message: 'odd' } })).toMatchObject({ code: 'ACME_HTTP' })
  })
})

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('reads Retry-After seconds and dates', () => {
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000)
    expect(retryAfterMs({ 'retry-after': new Date(now + 1500).toUTCString() }, now)).toBe(1000)
  })
  it('reads X-RateLimit-Reset as epoch seconds, or as a relative wait when small', () => {
    expect(retryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 20) }, now)).toBe(20_000)
    expect(retryAfterMs({ 'x-ratelimit-reset': '5' }, now)).toBe(5000)
  })
  it('answers undefined without a hint', () => {
    expect(retryAfterMs({}, now)).toBeUndefined()
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined()
  })
})
