import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineProvider } from '../../src/provider/define-provider.js'
import { bindSignals } from '../../src/provider/bind-signals.js'
import { createFakeContext } from '../../src/testing/create-fake-context.js'
import type { ProviderImplementation } from '../../src/contract/provider-types.js'

function recording() {
  const seen: Record<string, AbortSignal> = {}
  const ops: ProviderImplementation = {
    checkAuth: async (signal) => ((seen.checkAuth = signal), { account: 'me' }),
    deploy: async (input) => ((seen.deploy = input.signal), { provider: 't', id: input.name, name: input.name, url: 'http://x/' }),
    status: async (id, signal) => ((seen.status = signal), { id, name: id, state: 'ok' }),
    list: async (signal) => ((seen.list = signal), []),
    destroy: async (_id, signal) => void (seen.destroy = signal),
    rollback: async (id, signal) => ((seen.rollback = signal), { provider: 't', id, name: id, url: 'http://x/' }),
    export: async (id, signal) => ((seen.export = signal), { schema: 'datapub.deployment/v1', provider: 't', id, name: id, options: {}, envNames: [] }),
    assignAliases: async (_id, aliases, signal) => ((seen.assignAliases = signal), aliases),
  }
  return { ops, seen }
}

describe('bindSignals', () => {
  it('hands every operation the context signal when the caller gives none', async () => {
    const context = new AbortController()
    const { ops, seen } = recording()
    const bound = bindSignals(ops, context.signal)
    await bound.checkAuth()
    await bound.list()
    await bound.status('a')
    await bound.assignAliases?.('a', ['x.example'])
    for (const name of ['checkAuth', 'list', 'status', 'assignAliases']) expect(seen[name], name).toBe(context.signal)
    expect(bound.pushTarget).toBeUndefined()
  })

  it('joins a call signal with the context signal: either one aborts the operation', async () => {
    const context = new AbortController()
    const call = new AbortController()
    const { ops, seen } = recording()
    const bound = bindSignals(ops, context.signal)
    await bound.destroy('a', call.signal)
    await bound.deploy({ name: 'a', artifact: { kind: 'bundle', dir: '/', files: [] }, env: {}, spec: {} as never, port: 1, signal: call.signal })
    expect(seen.destroy?.aborted).toBe(false)
    call.abort()
    expect(seen.destroy?.aborted).toBe(true)
    expect(seen.deploy?.aborted).toBe(true)
    const other = new AbortController()
    await bound.export('a', other.signal)
    context.abort()
    expect(seen.export?.aborted).toBe(true)
  })

  it('is what defineProvider applies to create()', async () => {
    const { ops, seen } = recording()
    const provider = defineProvider({ name: 'bound', apiVersion: 1, title: 'Bound', options: z.object({}), limits: {}, accepts: 'bundle', create: () => ops })
    const { context } = createFakeContext({}, { provider: 'bound' })
    await (await provider.create(context)).list()
    expect(seen.list).toBe(context.signal)
  })
})
