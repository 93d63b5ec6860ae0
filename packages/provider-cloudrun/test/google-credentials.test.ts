import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { redactText } from '@datapub/core/kit'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { googleCredentials } from '../src/google-credentials.js'

const { nock } = useHttpMock()

describe('Google registry credentials (nock, network off)', () => {
  it('Google: exchanges application-default (authorized_user) credentials for oauth2accesstoken + access token', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'datapub-gcp-'))
    const file = path.join(dir, 'adc.json')
    await writeFile(file, JSON.stringify({ type: 'authorized_user', client_id: 'cid.apps.googleusercontent.com', client_secret: 'client-secret-value', refresh_token: 'refresh-token-value' }))
    const previous = process.env.GOOGLE_APPLICATION_CREDENTIALS
    process.env.GOOGLE_APPLICATION_CREDENTIALS = file
    nock('https://oauth2.googleapis.com')
      .post('/token', (body: Record<string, string>) => body.grant_type === 'refresh_token' && body.refresh_token === 'refresh-token-value')
      .reply(200, { access_token: 'ya29.access-token-value', expires_in: 3599, token_type: 'Bearer' })
    try {
      const resolve = googleCredentials({ projectId: 'demo-project' })
      const before = Date.now()
      const answer = await resolve('europe-west1-docker.pkg.dev')
      expect(answer).toEqual({ username: 'oauth2accesstoken', password: 'ya29.access-token-value', expiresAt: expect.any(Number) })
      // The expiry Google gave (expires_in 3599) reaches the registry client, which renews ahead of it.
      expect(answer!.expiresAt! - before).toBeGreaterThanOrEqual(3599_000)
      expect(answer!.expiresAt! - Date.now()).toBeLessThanOrEqual(3599_000)
      expect(await resolve('registry.heroku.com')).toBeUndefined()
      expect(redactText('pushed with ya29.access-token-value')).not.toContain('ya29.access-token-value')
    } finally {
      if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('Google: a refresh request gets a new access token though the cached one has an hour left', async () => {
    const tokenEndpoint = () => nock('https://oauth2.googleapis.com').post('/token', (body: Record<string, string>) => body.grant_type === 'refresh_token')
    tokenEndpoint().reply(200, { access_token: 'ya29.first-token-value', expires_in: 3599, token_type: 'Bearer' })
    tokenEndpoint().reply(200, { access_token: 'ya29.second-token-value', expires_in: 3599, token_type: 'Bearer' })
    const { UserRefreshClient } = await import('google-auth-library')
    const resolve = googleCredentials({ auth: new UserRefreshClient('cid', 'client-secret-value', 'refresh-token-value') })
    expect(await resolve('gcr.io')).toMatchObject({ password: 'ya29.first-token-value' })
    expect(await resolve('gcr.io')).toMatchObject({ password: 'ya29.first-token-value' })
    expect(await resolve('gcr.io', { refresh: true })).toMatchObject({ password: 'ya29.second-token-value' })
    // The renewed token is the one the library caches from now on.
    expect(await resolve('gcr.io')).toMatchObject({ password: 'ya29.second-token-value' })
  })

  it('Google: a refused refresh token becomes REGISTRY_AUTH_FAILED', async () => {
    nock('https://oauth2.googleapis.com').post('/token').reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })
    const { UserRefreshClient } = await import('google-auth-library')
    const client = new UserRefreshClient('cid', 'client-secret-value', 'revoked-refresh-token')
    await expect(googleCredentials({ auth: client })('gcr.io')).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' })
  })
})
