import https from 'node:https'
import { describe, expect, it } from 'vitest'
import { useHttpMock } from '../../helpers/http-mock.js'
import { checkHerokuRequest, checkHerokuResource } from '../../oracles/heroku-contract.js'
import { HOST_CONTRACTS } from '../../oracles/host-contracts.js'
import { checkVercelRequest } from '../../oracles/vercel-contract.js'

const { nock, violations } = useHttpMock({ contracts: HOST_CONTRACTS })
const files = [{ file: 'index.py', sha: 'a'.repeat(40), size: 3 }]
const DOCKER = 'application/vnd.heroku+json; version=3.docker-releases'

describe("Vercel requests against @vercel/sdk's request models", () => {
  it('accepts what the SDK itself could send', () => {
    expect(checkVercelRequest({ method: 'POST', path: '/v13/deployments?skipAutoDetectionConfirmation=1&teamId=team_1', body: { name: 'birds', project: 'prj_1', files, target: 'production', projectSettings: { framework: null }, meta: { datapubName: 'birds' } } })).toEqual([])
    expect(checkVercelRequest({ method: 'POST', path: '/v10/projects/prj_1/env?upsert=true', body: [{ key: 'A', value: 'b', type: 'encrypted', target: ['production', 'preview'] }] })).toEqual([])
    expect(checkVercelRequest({ method: 'GET', path: '/v7/deployments?projectId=prj_1&target=production&limit=100&until=1700000000000' })).toEqual([])
    expect(checkVercelRequest({ method: 'POST', path: '/v2/files', headers: { 'content-length': '3', 'x-vercel-digest': 'a'.repeat(40), 'x-now-size': '3' } })).toEqual([])
  })

  it('fails a misspelt body field, a mistyped value, a misspelt query parameter and an operation the SDK does not have', () => {
    expect(checkVercelRequest({ method: 'POST', path: '/v13/deployments', body: { name: 'birds', fils: files } })).toEqual(['POST /v13/deployments: body.fils is not a field of the SDK\'s createDeployment body'])
    expect(checkVercelRequest({ method: 'POST', path: '/v13/deployments', body: { name: 'birds', target: 1 } })).toEqual(['POST /v13/deployments: requestBody.target: Expected string, received number'])
    expect(checkVercelRequest({ method: 'POST', path: '/v13/deployments?skipAutoDetectionConfirmaton=1', body: { name: 'birds' } })[0]).toMatch(/query parameter "skipAutoDetectionConfirmaton" is not in the SDK/)
    expect(checkVercelRequest({ method: 'POST', path: '/v10/projects/p/env?upsert=true', body: [{ key: 'A', valeu: 'b', type: 'encrypted', target: ['production'] }] })).not.toEqual([])
    expect(checkVercelRequest({ method: 'GET', path: '/v6/deployments' })).toEqual(['GET /v6/deployments: no such operation in @vercel/sdk'])
    expect(checkVercelRequest({ method: 'POST', path: '/v11/projects', body: { name: 'birds', framework: null } })[0]).toMatch(/framework/)
  })
})

describe("Heroku requests against the Platform API schema, answers against @heroku-cli/schema", () => {
  it('accepts the calls Heroku and its CLI document', () => {
    expect(checkHerokuRequest({ method: 'POST', path: '/apps', body: { name: 'birds', stack: 'container', region: 'eu' } })).toEqual([])
    expect(checkHerokuRequest({ method: 'PATCH', path: '/apps/birds/formation', headers: { accept: DOCKER }, body: { updates: [{ type: 'web', docker_image: `sha256:${'c'.repeat(64)}` }] } })).toEqual([])
    expect(checkHerokuRequest({ method: 'POST', path: '/apps/birds/releases', body: { release: 'rel-1' } })).toEqual([])
    expect(checkHerokuRequest({ method: 'GET', path: '/apps/birds/releases', headers: { range: 'version ..; max=1, order=desc' } })).toEqual([])
  })

  it('fails a misspelt field, docker_image outside the docker-releases variant, a bad config var name, a bad Range and an unknown link', () => {
    expect(checkHerokuRequest({ method: 'POST', path: '/apps', body: { name: 'birds', stak: 'container' } })).toEqual(['POST /apps: body.stak: not a field the schema names'])
    expect(checkHerokuRequest({ method: 'PATCH', path: '/apps/birds/formation', body: { updates: [{ type: 'web', docker_image: 'x' }] } })).toEqual(['PATCH /apps/birds/formation: body.updates[0].docker_image: not a field the schema names'])
    expect(checkHerokuRequest({ method: 'PATCH', path: '/apps/birds/formation', body: { updates: [{ type: 'web', quantity: '1' }] } })[0]).toMatch(/quantity: is string/)
    expect(checkHerokuRequest({ method: 'PATCH', path: '/apps/birds/config-vars', body: { 'BAD-NAME': 'x' } })).toHaveLength(1)
    expect(checkHerokuRequest({ method: 'GET', path: '/apps/birds/releases', headers: { range: 'version; max=1' } })[0]).toMatch(/Range/)
    expect(checkHerokuRequest({ method: 'POST', path: '/apps/birds/relases', body: {} })).toEqual(['POST /apps/birds/relases: no such link in the Platform API schema'])
  })

  it('checks an answer against the resource type Heroku publishes', () => {
    expect(checkHerokuResource('App', { name: 'birds', web_url: 'https://birds.herokuapp.com/', stack: { name: 'container' }, maintenance: false })).toEqual([])
    expect(checkHerokuResource('App', { name: 'birds', created_at: 5 })).toEqual(['App.created_at: is number, @heroku-cli/schema says string'])
    expect(checkHerokuResource('Release', { version: '3' })).toEqual(['Release.version: is string, @heroku-cli/schema says number'])
  })
})

describe('useHttpMock contracts', () => {
  it("checks every request a mocked host answers, so a mock cannot hide a field the host's schema refuses", async () => {
    nock('https://api.heroku.com').post('/apps').reply(201, {})
    await new Promise<void>((resolve, reject) => {
      const req = https.request({ hostname: 'api.heroku.com', path: '/apps', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => res.resume().on('end', resolve))
      req.on('error', reject)
      req.end(JSON.stringify({ name: 'birds', stak: 'container' }))
    })
    expect(violations.splice(0)).toEqual(['POST /apps: body.stak: not a field the schema names'])
  })
})
