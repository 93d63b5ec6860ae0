import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { publish, type PublishRun } from '../../src/publish/run-publish.js'
import { planPublish } from '../../src/publish/plan/plan-publish.js'
import { listDeployments } from '../../src/publish/manage/manage-deployments.js'
import { defineProvider } from '../../src/provider/define-provider.js'
import { DatapubError, isDatapubError } from '../../src/errors/datapub-error.js'
import type { PublishEvent } from '../../src/contract/publish-event.js'
import type { ProviderOptionsOf } from '../../src/contract/provider-types.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-api-'))
  await writeFile(path.join(dir, 'trees.csv'), 'id,species\n1,oak\n2,ash\n')
})

const created: Array<Record<string, unknown>> = []
const host = defineProvider({
  name: 'api-host',
  apiVersion: 1,
  title: 'API host',
  options: z.object({ region: z.enum(['us', 'eu']).default('us').describe('Region'), project: z.string().optional().describe('Project') }),
  limits: {},
  accepts: 'context',
  create({ options }) {
    created.push(options)
    const refuse = async (): Promise<never> => {
      throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', 'not in this test')
    }
    return {
      async checkAuth() {
        if (options.project === 'locked') throw new DatapubError('AUTH_INVALID', 'Locked project.', { provider: 'api-host' })
        return {}
      },
      deploy: refuse,
      status: refuse,
      list: async () => [],
      destroy: refuse,
      rollback: refuse,
      export: refuse,
    }
  },
})

describe('providerOptions', () => {
  it('are typed by the provider schema input: defaults optional, unknown keys and wrong values refused at compile time', () => {
    expectTypeOf<ProviderOptionsOf<typeof host>>().toEqualTypeOf<{ region?: 'us' | 'eu' | undefined; project?: string | undefined }>()
    const ok = () => publish({ provider: host, files: [], providerOptions: { region: 'eu' } })
    // @ts-expect-error a misspelt key does not compile
    const typo = () => publish({ provider: host, files: [], providerOptions: { projcet: 'p' } })
    // @ts-expect-error a value outside the schema does not compile
    const wrong = () => planPublish({ provider: host, files: [], providerOptions: { region: 'mars' } })
    // A provider named at run time (a string variable) takes any record, checked at run time.
    const chosen: string = 'local'
    const dynamic = () => publish({ provider: chosen, files: [], providerOptions: { anything: 1 } })
    expect([ok, typo, wrong, dynamic].every((f) => typeof f === 'function')).toBe(true)
  })

  it('refuses an unknown key at run time with a coded error naming it and the closest option, before any work', async () => {
    created.length = 0
    const options = { projcet: 'p' } as Record<string, unknown>
    const planned = await planPublish({ provider: host, files: ['trees.csv'], cwd: dir, providerOptions: options }).catch((error: unknown) => error)
    expect(planned).toMatchObject({ code: 'CONFIG_INVALID', path: 'projcet', provider: 'api-host', fault: 'user' })
    expect((planned as DatapubError).message).toBe('Unknown api-host option "projcet". Did you mean "project"?')
    expect((planned as DatapubError).hint).toBe('API host takes: region, project.')

    const listed = await listDeployments({ provider: host, providerOptions: { zone: 'a' } as Record<string, unknown> }).catch((error: unknown) => error)
    expect(listed).toMatchObject({ code: 'CONFIG_INVALID', path: 'zone' })
    expect((listed as DatapubError).message).not.toContain('Did you mean')

    const run = publish({ provider: host, files: ['trees.csv'], cwd: dir, providerOptions: options })
    await expect(run.result).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: 'projcet' })
    expect(created).toEqual([])
  })
})

describe('publish(...).result', () => {
  it('resolves with the outcome beside the event stream', async () => {
    const run: PublishRun = publish({ provider: host, files: ['trees.csv'], cwd: dir, options: { generateDir: path.join(dir, 'ctx-iterated') } })
    const types: string[] = []
    for await (const event of run) types.push(event.type)
    expectTypeOf(run).toExtend<AsyncGenerator<PublishEvent>>()
    const outcome = await run.result
    expect(outcome).toMatchObject({ kind: 'generated', dir: path.join(dir, 'ctx-iterated') })
    expect(types).toContain('context:written')
  })

  it('runs the publish by itself when nobody iterates', async () => {
    const outcome = await publish({ provider: host, files: ['trees.csv'], cwd: dir, options: { generateDir: path.join(dir, 'ctx-alone') } }).result
    expect(outcome.kind).toBe('generated')
    if (outcome.kind === 'generated') expect(outcome.files).toContain('Dockerfile')
  })

  it('rejects with the same coded error the loop throws', async () => {
    const run = publish({ provider: host, files: ['trees.csv'], cwd: dir, providerOptions: { project: 'locked' } })
    let thrown: unknown
    try {
      for await (const _ of run) void _
    } catch (error) {
      thrown = error
    }
    expect(isDatapubError(thrown) && thrown.code).toBe('AUTH_INVALID')
    await expect(run.result).rejects.toBe(thrown)
  })

  it('rejects with ABORTED when the consumer stops reading before the end', async () => {
    const run = publish({ provider: host, files: ['trees.csv'], cwd: dir, options: { generateDir: path.join(dir, 'ctx-broken') } })
    for await (const _ of run) break
    await expect(run.result).rejects.toMatchObject({ code: 'ABORTED' })
  })
})
