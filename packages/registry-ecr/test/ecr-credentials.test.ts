import { ECRClient } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { redactText } from '@datapub/core/kit'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { ecrCredentials } from '../src/ecr-credentials.js'

const { nock } = useHttpMock()
const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const ECR_API = 'https://api.ecr.eu-west-1.amazonaws.com'

describe('ECR registry credentials (nock, network off)', () => {
  function ecrClient(): ECRClient {
    return new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIATESTTESTTEST', secretAccessKey: 'test-secret-access-key' }, maxAttempts: 1 })
  }

  it('ECR: exchanges GetAuthorizationToken for AWS + password and caches it until expiry', async () => {
    const password = 'ecr-password-0123456789'
    const token = Buffer.from(`AWS:${password}`).toString('base64')
    let calls = 0
    const expiresAt = Math.floor(Date.now() / 1000) + 12 * 3600
    nock(ECR_API)
      .post('/', {})
      .matchHeader('x-amz-target', 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken')
      .matchHeader('content-type', 'application/x-amz-json-1.1')
      .reply(200, () => {
        calls++
        return { authorizationData: [{ authorizationToken: token, expiresAt, proxyEndpoint: `https://${ECR_HOST}` }] }
      }, { 'content-type': 'application/x-amz-json-1.1' })
    const ecr = ecrCredentials({ region: 'eu-west-1', client: ecrClient() })
    // expiresAt tells the registry client when to ask again during a long push.
    expect(await ecr.resolve(ECR_HOST)).toEqual({ username: 'AWS', password, expiresAt: expiresAt * 1000 })
    expect(await ecr.resolve(ECR_HOST)).toEqual({ username: 'AWS', password, expiresAt: expiresAt * 1000 })
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

  it('ECR: a refresh request (the registry refused the password) fetches a new token despite the cache', async () => {
    const reply = (pw: string) => ({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${pw}`).toString('base64'), expiresAt: Date.now() / 1000 + 12 * 3600 }] })
    nock(ECR_API).post('/').reply(200, reply('revoked-password-x'), { 'content-type': 'application/x-amz-json-1.1' })
    nock(ECR_API).post('/').reply(200, reply('renewed-password-y'), { 'content-type': 'application/x-amz-json-1.1' })
    const ecr = ecrCredentials({ region: 'eu-west-1', client: ecrClient() })
    expect(await ecr.resolve(ECR_HOST)).toMatchObject({ password: 'revoked-password-x' })
    expect(await ecr.resolve(ECR_HOST)).toMatchObject({ password: 'revoked-password-x' })
    expect(await ecr.resolve(ECR_HOST, { refresh: true })).toMatchObject({ password: 'renewed-password-y' })
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
})
