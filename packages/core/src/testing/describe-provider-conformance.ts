import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { bindSignals } from '../provider/bind-signals.js'
import { assertProviderShape } from '../provider/assert-provider-shape.js'
import { isDatapubError } from '../errors/datapub-error.js'
import type { AnyProviderDefinition, DeployInput, ProviderContext, ProviderOperations } from '../contract/provider-types.js'
import { createFakeContext, type FakeContextOptions } from './create-fake-context.js'
import { createTestSpec } from './create-test-spec.js'
import type { DeploymentResult, EventInput } from '../contract/publish-event.js'

export interface ConformanceLifecycle {
  /** Sets up the host (nock scopes, a real engine...) for one full lifecycle; returns what deploy gets. */
  prepare(): Promise<{
    options: Record<string, unknown>
    context?: FakeContextOptions
    deploy: Omit<DeployInput, 'signal' | 'spec'> & { spec?: DeployInput['spec'] }
    /** Called after the lifecycle: assert every mock was used, remove real resources. */
    cleanup?(): Promise<void>
  }>
  /** Whether the provider supports rollback after a single deploy (most need two). */
  rollback?: 'unsupported' | 'after-one-deploy'
}

export interface ConformanceSetup {
  /** Options that parse. */
  validOptions: Record<string, unknown>
  /** Options that must fail, with the dot-path the error must name. */
  invalidOptions: Array<{ options: Record<string, unknown>; path: string }>
  /** Credentials that must never show up in events, errors, logs or descriptors. */
  sentinels?: string[]
  /** A full deploy → status → list → export → destroy run against the host (mocked or real). */
  lifecycle?: ConformanceLifecycle
  /** Sets up an auth failure; checkAuth must then reject with a user-fault DatapubError. */
  badAuth?: () => Promise<{ options: Record<string, unknown>; context?: FakeContextOptions; cleanup?(): Promise<void> }>
}

const OPERATIONS = ['checkAuth', 'deploy', 'status', 'list', 'destroy', 'rollback', 'export'] as const

/**
 * The suite every provider runs (built in or plugin): the contract's shape, option validation,
 * a real lifecycle against the provider's host, coded errors, and no secret anywhere.
 */
export function describeProviderConformance(definition: AnyProviderDefinition, setup: ConformanceSetup): void {
  describe(`provider conformance: ${definition.name}`, () => {
    it('is a well-formed provider value', () => {
      expect(() => assertProviderShape(definition, 'conformance')).not.toThrow()
      for (const [key, limit] of Object.entries(definition.limits)) {
        expect(limit, `limits.${key}`).toMatchObject({ source: expect.any(String) })
        expect((limit as { value: unknown }).value, `limits.${key}.value`).toBeDefined()
      }
    })

    it('describes its options as JSON schema for the CLI and forms', () => {
      const schema = z.toJSONSchema(definition.options, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }> }
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        expect(property.description, `option ${key} needs a description for --help`).toEqual(expect.any(String))
      }
    })

    it('accepts valid options and names the field of invalid ones', () => {
      expect(definition.options.safeParse(setup.validOptions).success).toBe(true)
      for (const bad of setup.invalidOptions) {
        const result = definition.options.safeParse(bad.options)
        expect(result.success, JSON.stringify(bad.options)).toBe(false)
        const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? []
        expect(paths).toContain(bad.path)
      }
    })

    it('creates every operation', async () => {
      const { context } = createFakeContext(definition.options.parse(setup.validOptions), { provider: definition.name })
      const ops = bindSignals(await definition.create(context as ProviderContext<never>), context.signal)
      for (const op of OPERATIONS) expect(typeof ops[op], op).toBe('function')
    })

    if (setup.badAuth !== undefined) {
      const badAuth = setup.badAuth
      it('rejects bad credentials with a coded user error that leaks nothing', async () => {
        const prepared = await badAuth()
        try {
          const fake = createFakeContext(definition.options.parse(prepared.options), { provider: definition.name, ...prepared.context })
          const ops = bindSignals(await definition.create(fake.context as ProviderContext<never>), fake.context.signal)
          const error = await ops.checkAuth().then(() => undefined, (e: unknown) => e)
          expect(isDatapubError(error), String(error)).toBe(true)
          expect((error as { fault: string }).fault).toBe('user')
          assertNoSecrets(setup.sentinels, JSON.stringify(error), (error as Error).message, fake.logs.join('\n'), JSON.stringify(fake.events))
        } finally {
          await prepared.cleanup?.()
        }
      })
    }

    if (setup.lifecycle !== undefined) {
      const lifecycle = setup.lifecycle
      it('deploys, reports status, lists, exports and destroys', async () => {
        const prepared = await lifecycle.prepare()
        try {
          const fake = createFakeContext(definition.options.parse(prepared.options), { provider: definition.name, ...prepared.context })
          const ops: ProviderOperations = bindSignals(await definition.create(fake.context as ProviderContext<never>), fake.context.signal)
          await ops.checkAuth()
          const deployed: DeploymentResult = await ops.deploy({ ...(prepared.deploy as DeployInput), spec: prepared.deploy.spec ?? createTestSpec(prepared.deploy.name), signal: new AbortController().signal })
          expect(deployed.provider).toBe(definition.name)
          expect(deployed.url).toMatch(/^https?:\/\//)
          expect(deployed.id).toEqual(expect.any(String))
          const status = await ops.status(deployed.id)
          expect(status.id).toBe(deployed.id)
          expect((await ops.list()).map((d) => d.id)).toContain(deployed.id)
          const descriptor = await ops.export(deployed.id)
          expect(descriptor).toMatchObject({ schema: 'datapub.deployment/v1', provider: definition.name, id: deployed.id })
          for (const name of Object.keys(prepared.deploy.env)) expect(descriptor.envNames).toContain(name)
          if (lifecycle.rollback === 'unsupported') {
            const error = await ops.rollback(deployed.id).then(() => undefined, (e: unknown) => e)
            expect(isDatapubError(error)).toBe(true)
          }
          await ops.destroy(deployed.id)
          assertNoSecrets(
            [...(setup.sentinels ?? []), ...Object.values(prepared.deploy.env)],
            JSON.stringify(deployed),
            JSON.stringify(descriptor),
            JSON.stringify(fake.events satisfies EventInput[]),
            fake.logs.join('\n'),
          )
        } finally {
          await prepared.cleanup?.()
        }
      })
    }
  })
}

function assertNoSecrets(sentinels: string[] | undefined, ...texts: string[]): void {
  for (const sentinel of sentinels ?? []) for (const text of texts) expect(text.includes(sentinel), `secret ${sentinel.slice(0, 4)}… leaked`).toBe(false)
}
