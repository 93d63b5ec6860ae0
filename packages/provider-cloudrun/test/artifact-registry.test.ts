import { describe, expect, it } from 'vitest'
import { createFakeContext } from '@datapub/core/testing'
import { redactText, type CredentialResolver, type ProviderOperations } from '@datapub/core/kit'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { cloudrun } from '../src/index.js'
import { ACCESS_TOKEN, PROJECT, googleError, mockTokenExchange, writeAdcFile } from './google-api-mock.js'

const { nock } = useHttpMock()
const AR = 'https://artifactregistry.googleapis.com'
const HASH = '3f'.repeat(32)
const RENEWED_TOKEN = 'ya29.sentinel-renewed-token-91b0'
const REPO_PATH = `/v1/projects/${PROJECT}/locations/us/repositories/datasette`

async function setup(options: Record<string, unknown> = {}) {
  const keyFile = await writeAdcFile()
  const fake = createFakeContext(cloudrun.options.parse({ keyFile, project: PROJECT, ...options }), { provider: 'cloudrun' })
  const ops: ProviderOperations = await cloudrun.create(fake.context as never)
  return { ops, fake, target: () => ops.pushTarget!({ name: 'birds', spec: {} as never, contextHash: HASH }) }
}

function arApi() {
  return nock(AR, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}` } })
}

describe('push target and Artifact Registry', () => {
  it('uses an existing repository and names the image per service, tagged by content', async () => {
    const { target } = await setup()
    mockTokenExchange(nock)
    arApi().get(REPO_PATH).reply(200, { name: `projects/${PROJECT}/locations/us/repositories/datasette`, format: 'DOCKER' })
    const before = Date.now()
    const t = await target()
    expect(t).toEqual({
      registry: 'us-docker.pkg.dev',
      repository: `${PROJECT}/datasette/datasette-birds`,
      tags: [`ctx-${HASH.slice(0, 40)}`],
      credentials: expect.any(Function),
      manifestFormat: 'oci',
    })
    const resolve = t.credentials as CredentialResolver
    // The token google-auth-library holds, with the expiry Google gave it (expires_in 3599), so core can renew it in time.
    const answer = await resolve('us-docker.pkg.dev')
    expect(answer).toMatchObject({ username: 'oauth2accesstoken', password: ACCESS_TOKEN })
    expect(answer?.expiresAt).toBeGreaterThanOrEqual(before + 3599_000)
    expect(answer?.expiresAt).toBeLessThanOrEqual(Date.now() + 3599_000)
    // Any other registry gets nothing: the Google token never leaves for another host.
    expect(await resolve('ghcr.io')).toBeUndefined()
    expect(await resolve('us-docker.pkg.dev.evil.example')).toBeUndefined()
  })

  it('hands the registry a new access token when asked to refresh the one it refused', async () => {
    const { target } = await setup()
    mockTokenExchange(nock)
    arApi().get(REPO_PATH).reply(200, { name: `projects/${PROJECT}/locations/us/repositories/datasette`, format: 'DOCKER' })
    const resolve = (await target()).credentials as CredentialResolver
    expect(await resolve('us-docker.pkg.dev')).toMatchObject({ password: ACCESS_TOKEN })
    // Still an hour to go, so google-auth-library would hand out the same token; a refresh must not.
    expect(await resolve('us-docker.pkg.dev')).toMatchObject({ password: ACCESS_TOKEN })
    mockTokenExchange(nock, { status: 200, body: { access_token: RENEWED_TOKEN, expires_in: 3599, token_type: 'Bearer' } })
    expect(await resolve('us-docker.pkg.dev', { refresh: true })).toMatchObject({ username: 'oauth2accesstoken', password: RENEWED_TOKEN })
    expect(redactText(`Basic oauth2accesstoken:${RENEWED_TOKEN}`)).not.toContain(RENEWED_TOKEN)
    // A refused refresh token is the user's to fix, coded, and never loops.
    mockTokenExchange(nock, { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } })
    await expect(resolve('us-docker.pkg.dev', { refresh: true })).rejects.toMatchObject({ code: 'CLOUDRUN_AUTH_INVALID', fault: 'user' })
  })

  it('creates a missing repository (format DOCKER) and waits for the operation', async () => {
    const { target, fake } = await setup({ artifactRegion: 'europe-west1', artifactRepository: 'pub', service: 'birds-eu', artifactProject: 'images-proj-1' })
    mockTokenExchange(nock)
    const base = '/v1/projects/images-proj-1/locations/europe-west1'
    const api = arApi()
    api.get(`${base}/repositories/pub`).reply(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.'))
    api.post(`${base}/repositories`, { format: 'DOCKER', description: 'Datasette Cloud Run images' }).query({ repositoryId: 'pub' }).matchHeader('content-type', /application\/json/).reply(200, { name: `${base.slice(4)}/operations/op-ar`, done: false })
    api.get(`${base}/operations/op-ar`).reply(200, { name: `${base.slice(4)}/operations/op-ar`, done: false })
    api.get(`${base}/operations/op-ar`).reply(200, { name: `${base.slice(4)}/operations/op-ar`, done: true, response: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository' } })
    const t = await target()
    expect(t).toMatchObject({ registry: 'europe-west1-docker.pkg.dev', repository: 'images-proj-1/pub/datasette-birds-eu' })
    expect(fake.events).toContainEqual(expect.objectContaining({ type: 'deploy:status', state: 'registry' }))
  })

  it('treats a 409 on create as a repository a concurrent publish just made', async () => {
    const { target } = await setup({ artifactRegion: 'us-docker.pkg.dev' })
    mockTokenExchange(nock)
    arApi().get(REPO_PATH).reply(404, googleError(404, 'NOT_FOUND', 'not found'))
    arApi().post(`/v1/projects/${PROJECT}/locations/us/repositories`).query({ repositoryId: 'datasette' }).reply(409, googleError(409, 'ALREADY_EXISTS', 'the repository already exists'))
    expect((await target()).registry).toBe('us-docker.pkg.dev')
  })

  it('maps a disabled Artifact Registry API to CLOUDRUN_API_DISABLED', async () => {
    const { target } = await setup()
    mockTokenExchange(nock)
    arApi().get(REPO_PATH).reply(403, googleError(403, 'PERMISSION_DENIED', `Artifact Registry API has not been used in project ${PROJECT} before or it is disabled.`, [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED' }]))
    const error = await target().then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'CLOUDRUN_API_DISABLED', fault: 'user', hint: expect.stringContaining('artifactregistry.googleapis.com') })
    expect(JSON.stringify(error)).not.toContain(ACCESS_TOKEN)
  })

  it('retries a 429 from Artifact Registry, honouring Retry-After', async () => {
    const { target } = await setup()
    mockTokenExchange(nock)
    arApi().get(REPO_PATH).reply(429, googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), { 'retry-after': '0' })
    arApi().get(REPO_PATH).reply(200, {})
    expect((await target()).repository).toBe(`${PROJECT}/datasette/datasette-birds`)
  })

  it('with --registry-url pushes to that registry over http for loopback, and sends no Google token anywhere', async () => {
    // No mocks: any request (token exchange, Artifact Registry) would fail the test as unmatched.
    const { target } = await setup({ registryUrl: '127.0.0.1:5000' })
    expect(await target()).toEqual({ registry: '127.0.0.1:5000', repository: `${PROJECT}/datasette/datasette-birds`, tags: [`ctx-${HASH.slice(0, 40)}`], manifestFormat: 'oci', insecure: true })
    const { target: remote } = await setup({ registryUrl: 'https://registry.example.com' })
    expect(await remote()).not.toHaveProperty('insecure')
  })
})

describe('--keep-images', () => {
  const PKG = `${REPO_PATH}/packages/datasette-birds`
  const version = (n: number) => ({ name: `projects/${PROJECT}/locations/us/repositories/datasette/packages/datasette-birds/versions/sha256:${String(n).repeat(64)}`, createTime: `2026-01-0${n}T00:00:00Z` })

  it('deletes the versions beyond the N newest, across pages, but never one a revision still uses', async () => {
    const { pruneImages } = await import('../src/prune-images.js')
    const http = createFakeContext({}, { provider: 'cloudrun' }).context.http
    arApi().get(`${PKG}/versions`).query({ pageSize: '500' }).reply(200, { versions: [version(1), version(4), version(2)], nextPageToken: 'p2' })
    arApi().get(`${PKG}/versions`).query({ pageSize: '500', pageToken: 'p2' }).reply(200, { versions: [version(5), version(3)] })
    // Keep 2: 5 and 4 stay; 3 and 1 go; 2 is what a revision runs, so it stays too.
    arApi().delete(`${PKG}/versions/sha256%3A${'3'.repeat(64)}`).query({ force: 'true' }).reply(200, { name: 'op-1' })
    arApi().delete(`${PKG}/versions/sha256%3A${'1'.repeat(64)}`).query({ force: 'true' }).reply(200, { name: 'op-2' })
    const deleted = await pruneImages(http, ACCESS_TOKEN, { project: PROJECT, location: 'us', repository: 'datasette', package: 'datasette-birds' }, 2, new Set([`sha256:${'2'.repeat(64)}`]), { signal: new AbortController().signal })
    expect(deleted).toEqual([`sha256:${'3'.repeat(64)}`, `sha256:${'1'.repeat(64)}`])
  })
})
