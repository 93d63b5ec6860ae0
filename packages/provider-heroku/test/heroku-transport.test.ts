import { describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { createHerokuApi } from '../src/heroku-api.js'
import { API, SENTINEL_KEY, app, basic } from './heroku-mock.js'

const { nock } = useHttpMock()
const api = () => createHerokuApi({ apiKey: SENTINEL_KEY, http: createFakeContext({}).context.http, baseDelayMs: 1, maxDelayMs: 5 })
const signal = () => new AbortController().signal

describe('the Platform API transport', () => {
  it('reads through heroku-client, following Next-Range over every page of a list', async () => {
    nock(API, { reqheaders: { authorization: basic(), 'user-agent': /^node-heroku-client\//, range: 'id ..; max=1000' } })
      .get('/apps')
      .reply(206, [app('a')], { 'Next-Range': ']a..; max=1000' })
    nock(API, { reqheaders: { 'user-agent': /^node-heroku-client\//, range: ']a..; max=1000' } })
      .get('/apps')
      .reply(200, [app('b')])
    const apps = await api().get<Array<{ name: string }>>('/apps', { signal: signal() })
    expect(apps.map((a) => a.name)).toEqual(['a', 'b'])
  })

  it('sends a write once: a connection error is not followed by a blind resend', async () => {
    nock(API, { reqheaders: { authorization: basic(), accept: 'application/vnd.heroku+json; version=3', 'content-type': 'application/json' } })
      .post('/apps/birds/builds', { source_blob: { url: 'https://s3.example/get' } })
      .once()
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
    const error = await api()
      .post('/apps/birds/builds', { body: { source_blob: { url: 'https://s3.example/get' } }, signal: signal() })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'HEROKU_UNREACHABLE', fault: 'host', details: { method: 'POST', path: '/apps/birds/builds' } })
    expect(JSON.stringify(error)).not.toContain(SENTINEL_KEY)
  })

  it('retries a 5xx to a GET but not to a write', async () => {
    nock(API).get('/account').reply(503, { id: 'unavailable', message: 'try later' }).get('/account').reply(200, { email: 'me@example.com' })
    expect(await api().get('/account', { signal: signal() })).toEqual({ email: 'me@example.com' })
    nock(API).patch('/apps/birds/config-vars').once().reply(503, { id: 'unavailable', message: 'try later' })
    await expect(api().patch('/apps/birds/config-vars', { body: { A: '1' }, signal: signal() })).rejects.toMatchObject({ code: 'HEROKU_HTTP_503', fault: 'host', details: { status: 503 } })
  })

  it('stops waiting on a read with ABORTED when cancelled', async () => {
    nock(API).get('/account').delay(5000).reply(200, {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const started = Date.now()
    await expect(api().get('/account', { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' })
    expect(Date.now() - started).toBeLessThan(2000)
    nock.abortPendingRequests()
  })
})
