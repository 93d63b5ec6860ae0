import { afterEach, describe, expect, it } from 'vitest'
import type { DeployInput, ProviderContext } from '@datapub/core/kit'
import { createFakeContext, createTestSpec } from '@datapub/core/testing'
import { startFakeCloudrun, type FakeCloudrun } from '../../../test/fakes/fake-cloudrun-host.js'
import { useHttpMock } from '../../../test/helpers/http-mock.js'
import { cloudrun } from '../src/index.js'
import { IMAGE, PROJECT, REGION, mockTokenExchange, writeAdcFile } from './google-api-mock.js'

const { nock } = useHttpMock({ allowLoopback: true })
let fake: FakeCloudrun | undefined
afterEach(async () => fake?.close())

async function setup(fakeOptions: Partial<Parameters<typeof startFakeCloudrun>[0]> = {}, options: Record<string, unknown> = {}) {
  fake = await startFakeCloudrun({ prefix: 'unit', ...fakeOptions })
  mockTokenExchange(nock)
  const ctx = createFakeContext(cloudrun.options.parse({ keyFile: await writeAdcFile(), project: PROJECT, region: REGION, apiUrl: fake.url, registryUrl: '127.0.0.1:5999', ...options }), { provider: 'cloudrun' })
  return { fake, ops: await cloudrun.create(ctx.context as ProviderContext<never>), ...ctx }
}

const input = (name = 'birds') => ({ name, artifact: { kind: 'image', ref: IMAGE }, env: { DATASETTE_SECRET: 'x' }, port: 8001, signal: new AbortController().signal, spec: createTestSpec(name) }) as unknown as DeployInput
const key = (name = 'birds') => `projects/${PROJECT}/locations/${REGION}/services/${name}`

describe('cloudrun against a stateful fake', () => {
  it('polls a long-running operation through 429s, waiting as long as the host asks', async () => {
    const { fake, ops } = await setup({ throttleOperationPolls: { count: 2, retryAfter: 1 } })
    const result = await ops.deploy(input())
    expect(result).toMatchObject({ provider: 'cloudrun', id: 'birds' })
    const polls = fake.server.log.filter((l) => l.includes('/operations/'))
    expect(polls.slice(0, 3)).toEqual([expect.stringMatching(/-> 429$/), expect.stringMatching(/-> 429$/), expect.stringMatching(/-> 200$/)])
  })

  it('redeploys by changing only the fields datapub manages, with the etag it read', async () => {
    const { fake, ops } = await setup()
    await ops.deploy(input())
    fake.setConsoleField('birds', (s) => {
      s.ingress = 'INGRESS_TRAFFIC_INTERNAL_ONLY'
      ;(s.template as { serviceAccount?: string }).serviceAccount = 'console@p.iam.gserviceaccount.com'
    })
    await ops.deploy(input())
    const s = fake.services.get(key())!.service as { ingress?: string; template: { serviceAccount?: string } }
    expect(s.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY')
    expect(s.template.serviceAccount).toBe('console@p.iam.gserviceaccount.com')
    expect(fake.updates.at(-1)).toMatchObject({ etag: expect.any(String) })
  })

  it('sets --service-account', async () => {
    const { fake, ops } = await setup({}, { serviceAccount: 'runner@datapub-test-1.iam.gserviceaccount.com' })
    await ops.deploy(input())
    expect((fake.services.get(key())!.service.template as { serviceAccount?: string }).serviceAccount).toBe('runner@datapub-test-1.iam.gserviceaccount.com')
  })

  it('--keep-images leaves images in another registry alone, and says so', async () => {
    const { ops, events } = await setup({}, { keepImages: 2 })
    await ops.deploy(input())
    expect(events.some((e) => e.type === 'warning' && (e as { code: string }).code === 'CLOUDRUN_KEEP_IMAGES_SKIPPED')).toBe(true)
  })

  it('falls back to invokerIamDisabled when an organisation policy blocks allUsers', async () => {
    const { fake, ops, events } = await setup({ blockAllUsers: true })
    await ops.deploy(input())
    expect(fake.services.get(key())!.service.invokerIamDisabled).toBe(true)
    expect(events.some((e) => e.type === 'warning' && (e as { code: string }).code === 'CLOUDRUN_INVOKER_IAM_DISABLED')).toBe(true)
  })

  it('says why the URL is private when the policy forbids both', async () => {
    const { ops } = await setup({ blockAllUsers: true, requireInvokerIam: true })
    await expect(ops.deploy(input())).rejects.toMatchObject({ code: 'CLOUDRUN_PUBLIC_ACCESS_DENIED', message: expect.stringContaining('private') })
  })
})
