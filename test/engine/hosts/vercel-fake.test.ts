import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { destroyDeployment, listDeployments, rollbackDeployment } from '@datapub/core'
import { startFakeVercel, type FakeVercel } from '../../fakes/fake-vercel-host.js'
import { routeFetch } from '../../fakes/route-fetch.js'
import { hostFixture, rowsAt, type HostFixture } from './host-fixture.js'

const TOKEN = 'sentinel-fidelity-vercel-token-8d3a'
const BYPASS = 'sentinel-fidelity-bypass-0c41e9'
const name = `fid-v-${process.pid}`
let fake: FakeVercel
let fx: HostFixture
let fetchRouted: typeof fetch
const options = (extra: Record<string, unknown> = {}) => ({ apiUrl: fake.url, pollInterval: 20, ...extra })
const manage = () => ({ provider: 'vercel', providerOptions: options({ project: name }), services: fx.services })

beforeAll(async () => {
  fake = await startFakeVercel({ token: TOKEN, bypassSecret: BYPASS, pageSize: 5 })
  fx = await hostFixture(() => fake.routes(), { VERCEL_TOKEN: TOKEN })
  fetchRouted = routeFetch(() => fake.routes())
})
afterAll(async () => fake?.close())

describe('vercel through a stateful fake that serves the uploaded databases', () => {
  const alias = `${name}.vercel.app`
  let firstId: string

  it('publishes to production: the production alias is public and serves the data', async () => {
    const run = await fx.publishRows('vercel', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    const deployment = run.result?.kind === 'deployed' ? run.result.deployment : undefined
    expect(deployment?.url).toBe(`https://${alias}`)
    expect(run.types()).toContain('verify:ok')
    expect(await rowsAt(fetchRouted, deployment!.url)).toEqual(['robin', 'heron'])
    expect(run.serialized()).not.toContain(TOKEN)
    firstId = deployment!.id
  })

  it('republishes unchanged data without uploading a file again', async () => {
    const uploads = fake.server.log.filter((l) => l.startsWith('POST /v2/files')).length
    const run = await fx.publishRows('vercel', name, '1,robin,21\n2,heron,185\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    expect(fake.server.log.filter((l) => l.startsWith('POST /v2/files')).length).toBe(uploads)
  })

  it('publishes changed data, served at the production alias', async () => {
    const run = await fx.publishRows('vercel', name, '1,robin,21\n2,heron,185\n3,wren,15\n', options())
    expect(run.error?.toJSON()).toBeUndefined()
    expect(await rowsAt(fetchRouted, `https://${alias}`)).toEqual(['robin', 'heron', 'wren'])
  })

  it('a preview is behind Deployment Protection: verified with the bypass secret, never reported public', async () => {
    const withBypass = await fx.publishRows('vercel', name, '1,robin,21\n', options({ prod: false, protectionBypass: BYPASS }))
    expect(withBypass.error?.toJSON()).toBeUndefined()
    expect(withBypass.result?.kind === 'deployed' ? withBypass.result.deployment : undefined).toMatchObject({ access: 'protected' })
    expect(withBypass.serialized()).not.toContain(BYPASS)
    const without = await fx.publishRows('vercel', name, '1,robin,21\n', options({ prod: false }))
    expect(without.error?.toJSON()).toBeUndefined()
    expect(without.result?.kind === 'deployed' ? without.result.deployment : undefined).toMatchObject({ access: 'protected' })
    expect(without.events.some((e) => e.type === 'warning' && (e as { code: string }).code === 'VERCEL_URL_PROTECTED')).toBe(true)
    expect(without.types()).not.toContain('verify:ok')
  })

  it('lists every page, rolls back to the previous production deployment, and destroys', async () => {
    // Older production deployments of the project push the ones above off the first page.
    for (let i = 0; i < 6; i++) fake.seedDeployment({ name, project: name, target: 'production', createdAt: 1_600_000_000_000 + i })
    const listed = await listDeployments(manage())
    expect(listed.length).toBe([...fake.deployments.values()].filter((d) => !d.deleted).length)
    const current = fake.aliases.get(alias)!
    const back = await rollbackDeployment(manage(), current)
    expect(back.url).toBe(`https://${alias}`)
    expect(await rowsAt(fetchRouted, `https://${alias}`)).toEqual(['robin', 'heron'])
    await destroyDeployment(manage(), firstId)
    expect(fake.deployments.get(firstId)?.deleted).toBe(true)
    expect(fake.violations).toEqual([])
  })
})
