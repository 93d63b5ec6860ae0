import { defineProvider, DatapubError, z } from '@datapub/core/kit'

export interface FakeProviderProbe {
  /** Resolves every deploy waiting at the gate, and lets later ones through. */
  open(): void
  /** Makes later deploys wait at the gate again. */
  close(): void
  /** Number of deploys currently waiting at the gate. */
  waiting(): number
  /** What each deploy saw of the server env (to prove a leak was attempted). */
  seenTokens: string[]
  /** The most deploys that were ever in progress at once. */
  peak(): number
  /** Deploys finished (either way). */
  deployed(): number
}

/**
 * A provider that deploys nothing: it takes the build context as a bundle, waits at a gate (so
 * tests can hold two publishes in flight together), and tries hard to leak FAKE_TOKEN through
 * events, a returned field and, when asked, an error message.
 */
export function fakeProvider(init: { open?: boolean } = {}): { provider: ReturnType<typeof defineProvider>; probe: FakeProviderProbe } {
  let release: () => void = () => undefined
  let gate = init.open === true ? Promise.resolve() : new Promise<void>((resolve) => (release = resolve))
  let waiting = 0
  let active = 0
  let peak = 0
  let deployed = 0
  const probe: FakeProviderProbe = {
    open: () => (release(), (gate = Promise.resolve())),
    close: () => void (gate = new Promise<void>((resolve) => (release = resolve))),
    waiting: () => waiting,
    seenTokens: [],
    peak: () => peak,
    deployed: () => deployed,
  }
  const provider = defineProvider({
    name: 'fake',
    apiVersion: 1,
    title: 'Fake host',
    description: 'Test double, reads FAKE_TOKEN',
    options: z.object({
      greeting: z.string().default('hello').describe('Said in the deploy status'),
      fail: z.boolean().default(false).describe('Fail the deploy'),
      token: z.string().optional().describe('API token (env FAKE_TOKEN)'),
      apiUrl: z.string().optional().describe('API base URL'),
    }),
    limits: {},
    accepts: 'bundle',
    create(context) {
      const token = context.options.token ?? context.env.FAKE_TOKEN ?? ''
      const fail = () => {
        throw new DatapubError('FAKE_DEPLOY_FAILED', `The fake host refused token ${token}.`, { fault: 'user', hint: `Check the token ${token} in FAKE_TOKEN.` })
      }
      return {
        checkAuth: async () => ({ account: 'fake' }),
        async deploy(input) {
          probe.seenTokens.push(token)
          context.emit({ type: 'deploy:status', state: 'waiting', message: `${context.options.greeting} with ${token}` })
          active++
          peak = Math.max(peak, active)
          waiting++
          try {
            // Like a host client, the wait gives up when the publish is cancelled.
            await new Promise<void>((resolve, reject) => {
              if (input.signal.aborted) return reject(input.signal.reason)
              input.signal.addEventListener('abort', () => reject(input.signal.reason), { once: true })
              void gate.then(resolve)
            })
          } finally {
            waiting--
            active--
            deployed++
          }
          if (context.options.fail) fail()
          return { provider: 'fake', id: input.name, name: input.name, url: `http://127.0.0.1:9/${input.name}/`, leakedToken: token }
        },
        status: async (id) => ({ id, name: id, state: 'running' }),
        list: async () => [],
        destroy: async () => undefined,
        rollback: async () => fail(),
        export: async () => fail(),
      }
    },
  })
  return { provider: provider as unknown as ReturnType<typeof defineProvider>, probe }
}
