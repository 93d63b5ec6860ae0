import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { destroyDeployment, listDeployments, rollbackDeployment } from '@datapub/core'
import { PROJECT, REGION, mockTokenExchange, writeAdcFile } from '../../../packages/provider-cloudrun/test/google-api-mock.js'
import { startFakeCloudrun, type FakeCloudrun } from '../../fakes/fake-cloudrun-host.js'
import { routeFetch } from '../../fakes/route-fetch.js'
import { useHttpMock } from '../../helpers/http-mock.js'
import { hostFixture, rowsAt, type HostFixture } from './host-fixture.js'

const { nock } = useHttpMock({ allowLoopback: true })
const name = `fid-c-${process.pid}`
let fake: FakeCloudrun
let fx: HostFixture
let fetchRouted: typeof fetch
let keyFile: string
const options = () => ({ keyFile, project: PROJECT, region: REGION, apiUrl: fake.url, registryUrl: `http://${fx.registry}`, readyTimeout: 60 })
const manage = () => ({ provider: 'cloudrun', providerOptions: options(), services: fx.services })
/**
 * Only Google's token endpoint is mocked. nock's interception of loopback traffic cannot carry the
 * registry pushes, so it is switched off once the token exchange was answered (the session keeps
 * the token for the rest of the publish) and on again for the next one.
 */
function tokenOnce(): void {
  if (!nock.isActive()) nock.activate()
  mockTokenExchange(nock).on('replied', () => setImmediate(() => nock.restore()))
}
const service = () => fake.services.get(`projects/${PROJECT}/locations/${REGION}/services/${name}`)!

beforeAll(async () => {
  keyFile = await writeAdcFile()
  fx = await hostFixture(() => fake.routes())
  fake = await startFakeCloudrun({ dockerHost: fx.dockerHost, prefix: `fid-${process.pid}` })
  fetchRouted = routeFetch(() => fake.routes())
})
afterAll(async () => fake?.close())

describe('cloudrun through a stateful fake that runs the pushed image', () => {
  let url: string

  it('publishes: a new service, public, and the verify stage reads the served data', async () => {
    tokenOnce()
    const run = await fx.publishRows('cloudrun', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    url = run.result?.kind === 'deployed' ? run.result.deployment.url : ''
    expect(url).toBe(`https://${name}-fk3q7a-uc.a.run.app`)
    expect(run.types()).toContain('verify:ok')
    expect(await rowsAt(fetchRouted, url)).toEqual(['robin', 'heron'])
  })

  it('republishes unchanged data without a new revision', async () => {
    tokenOnce()
    const revisions = service().revisions.length
    const run = await fx.publishRows('cloudrun', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    expect(service().revisions.length).toBe(revisions)
  })

  it('publishes changed data and keeps what a user set in the console', async () => {
    tokenOnce()
    fake.setConsoleField(name, (s) => {
      s.ingress = 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER'
      const template = s.template as { serviceAccount?: string; vpcAccess?: unknown; containers: Array<{ env: Array<{ name: string; value: string }> }> }
      template.serviceAccount = 'reader@p.iam.gserviceaccount.com'
      template.vpcAccess = { connector: `projects/${PROJECT}/locations/${REGION}/connectors/c1` }
      template.containers[0]!.env.push({ name: 'CONSOLE_SET', value: 'kept' })
    })
    const run = await fx.publishRows('cloudrun', name, '1,robin,21\n2,heron,185\n3,wren,15\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    expect(await rowsAt(fetchRouted, url)).toEqual(['robin', 'heron', 'wren'])
    const s = service().service as { ingress?: string; template: { serviceAccount?: string; vpcAccess?: unknown; containers: Array<{ env: Array<{ name: string }> }> } }
    expect(s.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER')
    expect(s.template.serviceAccount).toBe('reader@p.iam.gserviceaccount.com')
    expect(s.template.vpcAccess).toBeDefined()
    expect(s.template.containers[0]!.env.map((e) => e.name)).toContain('CONSOLE_SET')
    expect(fake.updates.at(-1)?.etag).toBeDefined()
  })

  it('lists, rolls back to the previous revision, and destroys', async () => {
    tokenOnce()
    expect((await listDeployments(manage())).map((d) => d.name)).toContain(name)
    tokenOnce()
    await rollbackDeployment(manage(), name)
    expect(await rowsAt(fetchRouted, url)).toEqual(['robin', 'heron'])
    tokenOnce()
    await destroyDeployment(manage(), name)
    expect(fake.services.size).toBe(0)
  })
})
