import { afterEach, describe, expect, it } from 'vitest'
import type { DeployInput, ProviderContext } from '@datapub/core/kit'
import { createFakeContext, createTestSpec } from '@datapub/core/testing'
import { ALREADY_RUNNING, startFakeHeroku, type FakeHeroku } from '../../../test/fakes/fake-heroku-host.js'
import { heroku } from '../src/index.js'

const KEY = 'sentinel-heroku-fake-key-6e1d'
const CONFIG_DIGEST = `sha256:${'d'.repeat(64)}`
let fake: FakeHeroku | undefined
afterEach(async () => fake?.close())

async function setup(options: Partial<Parameters<typeof startFakeHeroku>[0]> = {}) {
  fake = await startFakeHeroku({ apiKey: KEY, prefix: 'unit', ...options })
  const ctx = createFakeContext(heroku.options.parse({ apiKey: KEY, apiUrl: fake.url, registryUrl: '127.0.0.1:5999', pollInterval: 1, releaseTimeout: 10 }), { provider: 'heroku' })
  return { fake, ops: await heroku.create(ctx.context as ProviderContext<never>), ...ctx }
}

const input = (name: string, configDigest = CONFIG_DIGEST) =>
  ({ name, artifact: { kind: 'image', ref: `127.0.0.1:5999/${name}/web@sha256:${'e'.repeat(64)}`, digest: `sha256:${'e'.repeat(64)}`, configDigest }, env: {}, port: 8001, signal: new AbortController().signal, spec: createTestSpec(name) }) as unknown as DeployInput

const states = (events: Array<{ type: string }>) => events.filter((e) => e.type === 'deploy:status').map((e) => (e as unknown as { state: string }).state)

describe('heroku against a stateful fake (Platform API schema checked on every call)', () => {
  it('an image already running is nothing to release: the current release, no wait (also when a first publish timed out)', async () => {
    const { fake, ops } = await setup()
    const first = await ops.deploy(input('birds'))
    const started = fake.server.log.length
    const again = await ops.deploy(input('birds'))
    expect(fake.server.log.slice(started)).toContain('PATCH /apps/birds/formation -> 422')
    expect(again).toMatchObject({ id: 'birds', release: first.release, imageDigest: CONFIG_DIGEST })
    // No release was polled for: the refusal is the answer.
    expect(fake.server.log.slice(started).filter((l) => l.startsWith('GET /apps/birds/releases/'))).toEqual([])
    expect(ALREADY_RUNNING).toMatch(/already running the specified docker image/)
    expect(fake.violations).toEqual([])
  })

  it('switches an existing buildpack app to the container stack and confirms it', async () => {
    const { fake, ops, events } = await setup()
    fake.seedApp('legacy', { stack: 'heroku-24' })
    await ops.deploy(input('legacy'))
    expect(fake.apps.get('legacy')?.buildStack).toBe('container')
    expect(states(events)).toContain('stack')
    expect(fake.violations).toEqual([])
  })

  it('stops with a coded error when Heroku will not switch the stack', async () => {
    const { fake, ops } = await setup({ stackSwitch: 'refused' })
    fake.seedApp('legacy', { stack: 'heroku-24' })
    await expect(ops.deploy(input('legacy'))).rejects.toMatchObject({ code: 'HEROKU_STACK_NOT_CONTAINER', fault: 'user', hint: expect.stringContaining('heroku stack:set container -a legacy') })
  })

  it('scales web to 1 when the formation has no web dyno, and says so', async () => {
    const { fake, ops, events } = await setup()
    fake.seedApp('idle', { quantity: 0 })
    const result = await ops.deploy(input('idle'))
    expect(fake.apps.get('idle')?.web.quantity).toBe(1)
    expect(result).toMatchObject({ id: 'idle' })
    expect(events.some((e) => e.type === 'deploy:status' && /scal/i.test(String((e as { message?: string }).message)))).toBe(true)
    expect(fake.violations).toEqual([])
  })

  it('shows the release phase output of a container release', async () => {
    const { ops, events } = await setup({ releasePhase: ['Running release command...', 'release: done'] })
    await ops.deploy(input('birds'))
    expect(events.filter((e) => e.type === 'image:build:log').map((e) => (e as { line: string }).line)).toEqual(['Running release command...', 'release: done'])
  })
})
