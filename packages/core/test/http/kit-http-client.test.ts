import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useHttpMock } from '../../../../test/helpers/http-mock.js'
import { createHttpClient } from '../../src/http/create-http-client.js'
import { createKitHttpClient } from '../../src/http/kit-http-client.js'
import { isHttpError } from '../../src/http/http-error.js'
import { withRetry } from '../../src/async/with-retry.js'

const { nock } = useHttpMock({ allowLoopback: true })
const TOKEN = 'sentinel-kit-http-token-7720'
const client = (extra: Record<string, unknown> = {}) =>
  createKitHttpClient(createHttpClient, { baseURL: 'https://api.example.test', token: TOKEN, provider: 'acme', retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra })

describe('createKitHttpClient', () => {
  it('sends method, path, query (base query merged) and a JSON body; answers status, headers, body', async () => {
    nock('https://api.example.test', { reqheaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-extra': '1' } })
      .post('/v1/things', { name: 'birds' })
      .query({ teamId: 't1', force: 'true' })
      .reply(201, { id: 'abc' }, { 'x-request-id': 'r-1' })
    const response = await client({ query: { teamId: 't1' } }).request<{ id: string }>({ method: 'POST', path: '/v1/things', query: { force: true, skip: undefined }, json: { name: 'birds' }, headers: { 'x-extra': '1' } })
    expect(response).toEqual({ status: 201, headers: expect.objectContaining({ 'x-request-id': 'r-1' }), body: { id: 'abc' } })
  })

  it('throws a typed HttpError carrying the response and the Retry-After hint', async () => {
    nock('https://api.example.test').post('/v1/deploy').reply(429, { error: { code: 'rate_limited' } }, { 'retry-after': '7' })
    const error = await client().request({ method: 'POST', path: '/v1/deploy', json: {} }).catch((e: unknown) => e)
    expect(isHttpError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'ACME_HTTP_429', status: 429, method: 'POST', retryable: true, retryAfterMs: 7000 })
    expect((error as { response: { body: unknown } }).response.body).toEqual({ error: { code: 'rate_limited' } })
    expect(JSON.stringify(error)).not.toContain(TOKEN)
  })

  it('retries an idempotent POST on 503 and returns accepted statuses instead of throwing', async () => {
    nock('https://api.example.test').post('/v1/files').reply(503).post('/v1/files').reply(200, { ok: 1 }).get('/v1/apps/x').reply(404, { id: 'not_found' })
    expect((await client().request({ method: 'POST', path: '/v1/files', body: Buffer.from('x'), idempotent: true })).body).toEqual({ ok: 1 })
    expect((await client().request({ method: 'GET', path: '/v1/apps/x', accept: [404] })).status).toBe(404)
  })

  it('reads buffers and text', async () => {
    nock('https://api.example.test').get('/raw').reply(200, 'plain words').get('/bin').reply(200, Buffer.from([1, 2, 3]))
    expect((await client().request<string>({ method: 'GET', path: '/raw', responseType: 'text' })).body).toBe('plain words')
    expect([...(await client().request<Buffer>({ method: 'GET', path: '/bin', responseType: 'buffer' })).body]).toEqual([1, 2, 3])
  })

  it('ends a call that trickles past its deadline with HTTP_TIMEOUT, and a cancelled one with ABORTED', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const tick = setInterval(() => res.write(' '), 20)
      res.on('close', () => clearInterval(tick))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const slow = createKitHttpClient(createHttpClient, { baseURL: base, provider: 'acme', retry: { retries: 0 } })
      const started = Date.now()
      const error = await slow.request({ method: 'GET', path: '/slow', timeoutMs: 150 }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'HTTP_TIMEOUT', retryable: true, method: 'GET' })
      expect(Date.now() - started).toBeLessThan(3000)
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 50)
      await expect(slow.request({ method: 'GET', path: '/slow', signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('composes with withRetry through the error it throws', async () => {
    nock('https://api.example.test').post('/v1/build').reply(502).post('/v1/build').reply(200, { id: 'b1' })
    const api = client()
    const response = await withRetry(() => api.request<{ id: string }>({ method: 'POST', path: '/v1/build', json: {} }), { minDelayMs: 1, maxDelayMs: 2 })
    expect(response.body.id).toBe('b1')
  })
})

describe('createKitHttpClient streams', () => {
  it('keeps the deadline on a stream answer until it is read to the end', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first line\n')
      const tick = setInterval(() => res.write('.'), 20)
      res.on('close', () => clearInterval(tick))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const api = createKitHttpClient(createHttpClient, { baseURL: base, provider: 'acme', retry: { retries: 0 } })
      const response = await api.request<import('node:stream').Readable>({ method: 'GET', path: '/events', responseType: 'stream', timeoutMs: 200 })
      const error = await (async () => {
        for await (const _chunk of response.body) void _chunk
      })().catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'HTTP_TIMEOUT' })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
