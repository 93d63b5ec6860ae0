import { ECRClient } from '@aws-sdk/client-ecr'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redactText } from '../../src/http/redact.js'
import { ecrCredentials } from '../../src/registry/credentials/ecr-credentials.js'
import { googleCredentials } from '../../src/registry/credentials/google-credentials.js'
import { herokuCredentials } from '../../src/registry/credentials/heroku-credentials.js'
import { strictNock, type StrictNock } from '../../../../test/helpers/registry/strict-nock.js'

const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const ECR_API = 'https://api.ecr.eu-west-1.amazonaws.com'

describe('cloud registry credentials (nock, network off)', () => {
  let net: StrictNock
  beforeAll(() => {
    net = strictNock()
  })
  afterEach(() => net.verify())
  afterAll(() => net.restore())

  function ecrClient(): ECRClient {
    return new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIATESTTESTTEST', secretAccessKey: 'test-secret-access-key' }, maxAttempts: 1 })
  }

  it('ECR: exchanges GetAuthorizationToken for AWS + password and caches it until expiry', async () => {
    const password = 'ecr-password-0123456789'
    const token = Buffer.from(`AWS:${password}`).toString('base64')
    let calls = 0
    nock(ECR_API)
      .post('/', {})
      .matchHeader('x-amz-target', 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken')
      .matchHeader('content-type', 'application/x-amz-json-1.1')
      .reply(200, () => {
        calls++
        return { authorizationData: [{ authorizationToken: token, expiresAt: Date.now() / 1000 + 12 * 3600, proxyEndpoint: `https://${ECR_HOST}` }] }
      }, { 'content-type': 'application/x-amz-json-1.1' })
    const ecr = ecrCredentials({ region: 'eu-west-1', client: ecrClient() })
    expect(await ecr.resolve(ECR_HOST)).toEqual({ username: 'AWS', password })
    expect(await ecr.resolve(ECR_HOST)).toEqual({ username: 'AWS', password })
    expect(calls).toBe(1)
    expect(await ecr.resolve('registry.heroku.com')).toBeUndefined()
    expect(redactText(`token ${token} and ${password}`)).not.toMatch(/ecr-password|QVdTOm/)
  })

  it('ECR: fetches a new token once the cached one is inside the refresh margin', async () => {
    const reply = (pw: string) => ({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${pw}`).toString('base64'), expiresAt: Date.now() / 1000 + 60 }] })
    nock(ECR_API).post('/').reply(200, reply('first-password-x'), { 'content-type': 'application/x-amz-json-1.1' })
    nock(ECR_API).post('/').reply(200, reply('second-password-y'), { 'content-type': 'application/x-amz-json-1.1' })
    const ecr = ecrCredentials({ region: 'eu-west-1', client: ecrClient(), refreshMarginMs: 5 * 60_000 })
    expect(await ecr.resolve(ECR_HOST)).toMatchObject({ password: 'first-password-x' })
    expect(await ecr.resolve(ECR_HOST)).toMatchObject({ password: 'second-password-y' })
  })

  it('ECR: creates the repository when DescribeRepositories says RepositoryNotFoundException', async () => {
    nock(ECR_API)
      .post('/', { repositoryNames: ['datapub/app'] })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories')
      .reply(400, { __type: 'com.amazonaws.ecr#RepositoryNotFoundException', message: 'The repository with name datapub/app does not exist' }, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'RepositoryNotFoundException' })
    nock(ECR_API)
      .post('/', { repositoryName: 'datapub/app' })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerRegistry_V20150921.CreateRepository')
      .reply(200, { repository: { repositoryName: 'datapub/app', repositoryUri: `${ECR_HOST}/datapub/app` } }, { 'content-type': 'application/x-amz-json-1.1' })
    const ecr = ecrCredentials({ region: 'eu-west-1', client: ecrClient() })
    expect(await ecr.ensureRepository('datapub/app')).toBe('created')
  })

  it('ECR: leaves an existing repository alone', async () => {
    nock(ECR_API)
      .post('/', { repositoryNames: ['datapub/app'] })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories')
      .reply(200, { repositories: [{ repositoryName: 'datapub/app' }] }, { 'content-type': 'application/x-amz-json-1.1' })
    expect(await ecrCredentials({ region: 'eu-west-1', client: ecrClient() }).ensureRepository('datapub/app')).toBe('exists')
  })

  it('ECR: an access-denied answer becomes REGISTRY_AUTH_FAILED', async () => {
    nock(ECR_API)
      .post('/')
      .reply(400, { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'UnrecognizedClientException' })
    await expect(ecrCredentials({ region: 'eu-west-1', client: ecrClient() }).resolve(ECR_HOST)).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' })
  })

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
      expect(await resolve('europe-west1-docker.pkg.dev')).toEqual({ username: 'oauth2accesstoken', password: 'ya29.access-token-value' })
      expect(await resolve('registry.heroku.com')).toBeUndefined()
      expect(redactText('pushed with ya29.access-token-value')).not.toContain('ya29.access-token-value')
    } finally {
      if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('Google: a refused refresh token becomes REGISTRY_AUTH_FAILED', async () => {
    nock('https://oauth2.googleapis.com').post('/token').reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })
    const { UserRefreshClient } = await import('google-auth-library')
    const client = new UserRefreshClient('cid', 'client-secret-value', 'revoked-refresh-token')
    await expect(googleCredentials({ auth: client })('gcr.io')).rejects.toMatchObject({ code: 'REGISTRY_AUTH_FAILED' })
  })

  it('Heroku: `_` and the API key, only for registry.heroku.com', async () => {
    const resolve = herokuCredentials('heroku-api-key-123456')
    expect(await resolve('registry.heroku.com')).toEqual({ username: '_', password: 'heroku-api-key-123456' })
    expect(await resolve('gcr.io')).toBeUndefined()
    expect(() => herokuCredentials('')).toThrow(expect.objectContaining({ code: 'AUTH_MISSING', details: { provider: 'heroku' } }) as Error)
    expect(nock.isDone()).toBe(true)
  })
})
