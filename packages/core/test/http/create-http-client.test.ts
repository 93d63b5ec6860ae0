import { describe, expect, it } from 'vitest'
import { useHttpMock } from '../../../../test/helpers/http-mock.js'
import { createHttpClient } from '../../src/http/create-http-client.js'
import { retryDelayMs, DEFAULT_RETRY } from '../../src/http/retry-policy.js'
import { isDatapubError } from '../../src/errors/index.js'

const { nock } = useHttpMock()
const TOKEN = 'sentinel-http-token-5511'
const api = () => createHttpClient({ baseURL: 'https://api.example.test', token: TOKEN, provider: 'acme', retry: { baseDelayMs: 1, maxDelayMs: 20 } })

describe('createHttpClient', () => {
  it('sends the bearer token and retries idempotent calls on 503, honouring Retry-After', async () => {
    nock('https://api.example.test', { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/things')
      .reply(503, {}, { 'retry-after': '0' })
      .get('/things')
      .reply(200, { ok: true })
    expect((await api().get('/things')).data).toEqual({ ok: true })
  })

  it('does not retry a POST unless it is marked idempotent', async () => {
    nock('https://api.example.test').post('/things').reply(503, { message: 'busy' })
    const error = await api().post('/things', {}).catch((e: unknown) => e)
    expect(isDatapubError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'ACME_HTTP_503', fault: 'host', provider: 'acme' })
  })

  it('retries a POST marked idempotent', async () => {
    nock('https://api.example.test').post('/things').reply(429, {}, { 'retry-after': '0' }).post('/things').reply(201, { id: 1 })
    expect((await api().post('/things', {}, { idempotent: true } as never)).status).toBe(201)
  })

  it('maps 401 to a user-fault coded error without leaking the token', async () => {
    nock('https://api.example.test').get('/me').reply(401, { error: { message: `bad token ${TOKEN}` } })
    const error = await api().get('/me').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ACME_HTTP_401', fault: 'user' })
    const everything = JSON.stringify(error) + String((error as Error).message) + String((error as { hint?: string }).hint)
    expect(everything).not.toContain(TOKEN)
  })

  it('gives up after the retry budget', async () => {
    nock('https://api.example.test').get('/flaky').times(DEFAULT_RETRY.retries + 1).reply(500, 'no')
    await expect(api().get('/flaky')).rejects.toMatchObject({ code: 'ACME_HTTP_500' })
  })
})

describe('retryDelayMs', () => {
  const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 5000 }
  it('prefers Retry-After seconds and dates, capped', () => {
    expect(retryDelayMs(1, '2', policy)).toBe(2000)
    expect(retryDelayMs(1, '999', policy)).toBe(5000)
    expect(retryDelayMs(1, new Date(10_000 + 1500).toUTCString(), policy, 10_000)).toBeLessThanOrEqual(1500)
  })
  it('backs off exponentially with jitter otherwise', () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const ceiling = Math.min(100 * 2 ** (attempt - 1), 5000)
      const delay = retryDelayMs(attempt, undefined, policy)
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2)
      expect(delay).toBeLessThanOrEqual(ceiling)
    }
  })
})
