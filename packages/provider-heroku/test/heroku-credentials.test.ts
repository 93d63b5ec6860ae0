import { describe, expect, it } from 'vitest'
import { herokuCredentials } from '../src/heroku-credentials.js'

describe('Heroku registry credentials', () => {
  it('Heroku: `_` and the API key, only for registry.heroku.com', async () => {
    const resolve = herokuCredentials('heroku-api-key-123456')
    expect(await resolve('registry.heroku.com')).toEqual({ username: '_', password: 'heroku-api-key-123456' })
    expect(await resolve('gcr.io')).toBeUndefined()
    expect(() => herokuCredentials('')).toThrow(expect.objectContaining({ code: 'AUTH_MISSING' }) as Error)
  })
})
