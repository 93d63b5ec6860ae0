import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeployInput, ProviderContext } from '@datapub/core/kit'
import { createFakeContext, createTestSpec } from '@datapub/core/testing'
import { startFakeVercel, NOW_V1_REFUSAL, type FakeVercel } from '../../../test/fakes/fake-vercel-host.js'
import { now } from '../src/index.js'
import { makeContext } from './make-context.js'

const TOKEN = 'sentinel-now-retired-token-31aa'
let fake: FakeVercel

beforeAll(async () => {
  fake = await startFakeVercel({ token: TOKEN })
})
afterAll(async () => fake?.close())

async function operations() {
  const fake_ = createFakeContext(now.options.parse({ token: TOKEN, apiUrl: fake.url, pollInterval: 1 }), { provider: 'now' })
  return { ops: await now.create(fake_.context as ProviderContext<never>), ...fake_ }
}

describe('now: a retired host, kept for moving deployments off it (through the Vercel fake)', () => {
  it("maps the host's Now 1.0 refusal to NOW_V1_RETIRED, pointing to vercel and to datapub migrate", async () => {
    const { ops, events } = await operations()
    const ctx = await makeContext()
    const input = { name: 'birds', artifact: { kind: 'context', dir: ctx.dir, files: ctx.files }, env: {}, port: 8001, signal: new AbortController().signal, spec: createTestSpec('birds') } as unknown as DeployInput
    const error = await ops.deploy(input).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NOW_V1_RETIRED', fault: 'user', provider: 'now' })
    expect((error as Error).message).toContain('Now 1.0')
    expect((error as { hint: string }).hint).toMatch(/datapub publish vercel/)
    expect((error as { hint: string }).hint).toMatch(/datapub migrate --from now:<id> --to /)
    // Nothing was uploaded for a deployment the host will not build.
    expect(fake.server.log.filter((l) => l.startsWith('POST /v2/'))).toEqual([])
    expect(JSON.stringify(events)).not.toContain(TOKEN)
    expect(NOW_V1_REFUSAL).toContain('Now 1.0')
  })

  it('lists, reports status, exports and destroys what is left, over the current API', async () => {
    const id = fake.seedDeployment({ name: 'birds', target: 'production', createdAt: 1_560_000_000_000, type: 'DOCKER', alias: 'birds.now.sh' })
    const { ops } = await operations()
    expect((await ops.list()).map((d) => d.id)).toContain(id)
    expect(await ops.status(id)).toMatchObject({ id, name: 'birds', state: 'READY' })
    const descriptor = await ops.export(id)
    expect(descriptor).toMatchObject({ provider: 'now', id, url: 'https://birds.now.sh', aliases: ['birds.now.sh'] })
    await ops.destroy(id)
    expect(fake.deployments.get(id)?.deleted).toBe(true)
    expect(fake.violations).toEqual([])
  })
})
