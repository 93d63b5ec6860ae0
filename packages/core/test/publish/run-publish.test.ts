import { mkdtemp, writeFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { publish } from '../../src/publish/run-publish.js'
import { planPublish } from '../../src/publish/plan/plan-publish.js'
import { defineProvider } from '../../src/provider/define-provider.js'
import { recordEvents } from '../../src/testing/record-events.js'
import type { PipelineServices } from '../../src/publish/stages/pipeline-services.js'
import { defaultAppendServices } from '../../src/publish/stages/append-services.js'
import type { DeployInput } from '../../src/contract/provider-types.js'
import { DatapubError } from '../../src/errors/datapub-error.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-run-'))
  await writeFile(path.join(dir, 'trees.csv'), 'id,species\n1,oak\n2,ash\n')
})

/** Stage implementations that record what they were asked and write small real files. */
function fakePipeline(calls: string[]): PipelineServices {
  const services: PipelineServices = {
    ...defaultAppendServices(),
    csvsToSqlite: async (paths, db) => {
      calls.push(`csv ${paths.map((p) => path.basename(p)).join(',')} -> ${path.basename(db)}`)
      await writeFile(db, 'db')
      return { database: db, written: true, databases: [], tables: [{ name: 'trees', rows: 2, columns: [], source: paths }], warnings: [{ code: 'CSV_NOTE', message: 'a note' }] }
    },
    inspectDatabase: async (file, name) => ({ hash: `hash-of-${name}`, size: 2, file: path.basename(file), tables: { trees: { count: 2 } } }),
    writeInspectFile: async () => {},
    assertSqliteDatabase: async () => {},
    createBuildContext: async (input, contextDir) => {
      calls.push(`context ${input.databases.map((d) => d.name).join(',')}`)
      return { dir: contextDir, files: ['Dockerfile'], dockerfile: 'FROM scratch', hash: 'abc123', bytes: 0, tar: () => { throw new Error('unused') } }
    },
    buildImage: async (_engine, context, options) => {
      calls.push(`build ${options.tag} network=${options.networkMode ?? 'default'}`)
      options.onLog?.('Step 1/1 : FROM scratch')
      options.onStep?.({ index: 1, total: 1, instruction: 'FROM scratch', cached: false })
      options.onLayer?.({ id: 'aaa', status: 'Downloading', current: 5, total: 10 })
      options.onLayer?.({ id: 'bbb', status: 'Downloading', current: 4, total: 30 })
      options.onLayer?.({ id: 'aaa', status: 'Download complete' })
      options.onLayer?.({ id: 'aaa', status: 'Downloading', current: 10, total: 10 })
      return { imageId: 'sha256:built', tag: options.tag } as never
    },
    analyzeImage: async (source, options) => {
      calls.push(`analyze ${'ref' in source ? source.ref : 'stream'} base=${options?.baseDiffIds?.join(',')}`)
      return { format: 'docker-archive', totalBytes: 5000, compressedBytes: 2000, layers: [{}, {}] } as never
    },
    assertWithinBudget: async (report, limits) => {
      calls.push(`budget ${report.totalBytes} <= ${limits.imageBytes?.value}`)
      if (limits.imageBytes && report.totalBytes > limits.imageBytes.value) throw new DatapubError('IMAGE_OVER_BUDGET', 'too big')
    },
    pushEngineImage: async (_engine, ref, target, options) => {
      calls.push(`push ${ref} -> ${target.registry}/${target.repository}:${target.tags.join(',')}`)
      options?.onProgress?.({ sentBytes: 10, totalBytes: 10 })
      return { kind: 'image', ref: `${target.registry}/${target.repository}@sha256:abc`, digest: 'sha256:abc', configDigest: 'sha256:cfg' }
    },
    verifyDeployment: async (url, databases) => {
      calls.push(`verify ${url} ${Object.keys(databases).join(',')}`)
      return ['data: ok']
    },
  }
  return services
}

function contextProvider(deploys: DeployInput[], fail?: DatapubError) {
  return defineProvider({
    name: 'fake-host',
    apiVersion: 1,
    title: 'Fake host',
    options: z.object({ region: z.enum(['eu', 'us']).default('eu').describe('Region') }),
    limits: { namePattern: { value: '^[a-z]+$', source: 'test' } },
    accepts: 'context',
    create: (ctx) => ({
      checkAuth: async () => ({ account: `tester in ${ctx.options.region}` }),
      deploy: async (input) => {
        deploys.push(input)
        ctx.emit({ type: 'deploy:status', state: 'building' })
        if (fail) throw fail
        return { provider: 'fake-host', id: `id-${input.name}`, name: input.name, url: 'https://fake.example/' }
      },
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      destroy: async () => {},
      rollback: async () => { throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', 'no') },
      export: async (id) => ({ schema: 'datapub.deployment/v1', provider: 'fake-host', id, name: id, options: {}, envNames: [] }),
    }),
  })
}

describe('publish', () => {
  it('runs every stage in order and ends with the deployment', async () => {
    const calls: string[] = []
    const deploys: DeployInput[] = []
    const run = await recordEvents(publish({ provider: contextProvider(deploys), files: ['trees.csv'], options: { name: 'trees', secret: 'sentinel-run-secret' }, providerOptions: { region: 'us' }, cwd: dir, services: { Pipeline: fakePipeline(calls), Env: {} } }))
    expect(run.error).toBeUndefined()
    expect(run.result).toMatchObject({ kind: 'deployed', deployment: { id: 'id-trees', url: 'https://fake.example/', databases: { data: { hash: 'hash-of-data' } } } })
    const stages = run.events.filter((e) => e.type === 'stage:start' || e.type === 'stage:skip').map((e) => `${e.type === 'stage:skip' ? 'skip ' : ''}${e.stage}`)
    expect(stages).toEqual(['collect', 'data', 'context', 'skip build', 'skip analyze', 'skip push', 'deploy', 'verify'])
    expect(run.types()).toContain('warning')
    expect(run.types().at(-1)).toBe('result')
    expect(calls).toEqual(['csv trees.csv -> data.db', 'context data', 'verify https://fake.example/ data'])
    expect(deploys[0]?.env.DATASETTE_SECRET).toBe('sentinel-run-secret')
    expect(run.serialized()).not.toContain('sentinel-run-secret')
    expect(run.events.find((e) => e.type === 'log')).toMatchObject({ message: 'Fake host: ready as tester in us' })
    const deployStatus = run.events.find((e) => e.type === 'deploy:status')
    expect(deployStatus?.stage).toBe('deploy')
    expect(run.events.every((e, i, all) => i === 0 || e.elapsedMs >= (all[i - 1]?.elapsedMs ?? 0))).toBe(true)
  })

  it('fails in collect with a coded error naming the provider option, before any work', async () => {
    const calls: string[] = []
    // @ts-expect-error providerOptions are typed by the provider's schema; the run-time check is under test
    const run = await recordEvents(publish({ provider: contextProvider([]), files: ['trees.csv'], providerOptions: { region: 'mars' }, cwd: dir, services: { Pipeline: fakePipeline(calls) } }))
    expect(run.error).toMatchObject({ code: 'CONFIG_INVALID', path: 'region' })
    expect(calls).toEqual([])
    expect(run.types().at(-1)).toBe('error')
  })

  it('checks the deployment name against the provider rule', async () => {
    const run = await recordEvents(publish({ provider: contextProvider([]), files: ['trees.csv'], options: { name: 'Has Spaces' }, cwd: dir, services: { Pipeline: fakePipeline([]) } }))
    expect(run.error).toMatchObject({ code: 'CONFIG_INVALID', path: 'name' })
  })

  it('passes provider errors through with their code and leaves no work folder behind', async () => {
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('datapub-')).length
    const fail = new DatapubError('FAKE_HOST_QUOTA', 'quota exceeded', { fault: 'user', hint: 'ask for more' })
    const run = await recordEvents(publish({ provider: contextProvider([], fail), files: ['trees.csv'], cwd: dir, services: { Pipeline: fakePipeline([]) } }))
    expect(run.error).toBe(fail)
    expect(run.events.at(-1)).toMatchObject({ type: 'error', error: { code: 'FAKE_HOST_QUOTA', hint: 'ask for more' } })
    const after = (await readdir(tmpdir())).filter((n) => n.startsWith('datapub-')).length
    expect(after).toBeLessThanOrEqual(before)
  })

  it('stops with ABORTED when the signal fires', async () => {
    const controller = new AbortController()
    controller.abort()
    const run = await recordEvents(publish({ provider: contextProvider([]), files: ['trees.csv'], cwd: dir, signal: controller.signal, services: { Pipeline: fakePipeline([]) } }))
    expect(run.error?.code).toBe('ABORTED')
  })

  it('with generateDir writes the context and stops', async () => {
    const calls: string[] = []
    const out = path.join(dir, 'generated')
    const run = await recordEvents(publish({ provider: contextProvider([]), files: ['trees.csv'], options: { generateDir: out }, cwd: dir, services: { Pipeline: fakePipeline(calls) } }))
    expect(run.result).toEqual({ kind: 'generated', dir: out, files: ['Dockerfile'] })
    expect(calls.some((c) => c.startsWith('verify'))).toBe(false)
  })
})

function imageProvider(deploys: DeployInput[], imageBytes: number) {
  return defineProvider({
    name: 'registry-host',
    apiVersion: 1,
    title: 'Registry host',
    options: z.object({}),
    limits: { imageBytes: { value: imageBytes, source: 'test' } },
    accepts: 'image',
    create: () => ({
      checkAuth: async () => ({}),
      pushTarget: async ({ name, contextHash }) => ({ registry: 'registry.example', repository: `apps/${name}`, tags: [contextHash.slice(0, 8)], manifestFormat: 'docker-v2', credentials: { username: '_', password: 'sentinel-push-key-1' } }),
      deploy: async (input) => (deploys.push(input), { provider: 'registry-host', id: input.name, name: input.name, url: 'https://r.example/' }),
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      destroy: async () => {},
      rollback: async () => { throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', 'no') },
      export: async (id) => ({ schema: 'datapub.deployment/v1', provider: 'registry-host', id, name: id, options: {}, envNames: [] }),
    }),
  })
}

const fakeEngine = { hasNetwork: async () => false, inspectImage: async () => ({ layers: ['sha256:base-layer'] }) } as never

describe('publish to an image provider', () => {
  it('builds, analyses against the limits, pushes to the target and deploys the pushed digest', async () => {
    const calls: string[] = []
    const deploys: DeployInput[] = []
    const run = await recordEvents(publish({ provider: imageProvider(deploys, 10_000), files: ['trees.csv'], options: { name: 'app' }, cwd: dir, services: { Pipeline: fakePipeline(calls), EngineFactory: async () => fakeEngine, Env: {} } }))
    expect(run.error?.toJSON()).toBeUndefined()
    expect(calls).toEqual(['csv trees.csv -> data.db', 'context data', 'build datapub/app:abc123 network=host', 'analyze datapub/app:abc123 base=sha256:base-layer', 'budget 5000 <= 10000', 'push datapub/app:abc123 -> registry.example/apps/app:abc123', 'verify https://r.example/ data'])
    expect(deploys[0]?.artifact).toEqual({ kind: 'image', ref: 'registry.example/apps/app@sha256:abc', digest: 'sha256:abc', configDigest: 'sha256:cfg', imageId: 'sha256:built' })
    expect(run.types()).toEqual(expect.arrayContaining(['image:build:log', 'image:built', 'image:analyzed', 'push:progress']))
    // The build's own step counts drive its progress, not the raw engine lines.
    expect(run.events.find((e) => e.type === 'progress' && e.unit === 'steps')).toMatchObject({ stage: 'build', label: 'build step 1/1: FROM scratch', done: 0, total: 1 })
    // Pulled base layers add up to one byte bar.
    const layers = run.events.filter((e) => e.type === 'progress' && e.unit === 'bytes')
    expect(layers.map((e) => e.type === 'progress' && [e.label, e.done, e.total])).toEqual([
      ['base image layers (1)', 5, 10],
      ['base image layers (2)', 9, 40],
      ['base image layers (2)', 14, 40],
    ])
  })

  it('refuses to push an image over the provider budget', async () => {
    const calls: string[] = []
    const run = await recordEvents(publish({ provider: imageProvider([], 1000), files: ['trees.csv'], cwd: dir, services: { Pipeline: fakePipeline(calls), EngineFactory: async () => fakeEngine, Env: {} } }))
    expect(run.error?.code).toBe('IMAGE_OVER_BUDGET')
    expect(calls.some((c) => c.startsWith('push'))).toBe(false)
  })
})

describe('planPublish', () => {
  it.each([
    ['a context host', () => contextProvider([]), { verify: false }],
    ['--generate-dir', () => contextProvider([]), { generateDir: 'GEN' }],
  ])('skips the same stages for the same reasons as publish does (%s)', async (_label, provider, options) => {
    const opts = 'generateDir' in options ? { generateDir: path.join(dir, `gen-${Date.now()}`) } : options
    const plan = await planPublish({ provider: provider(), files: ['trees.csv'], options: opts, cwd: dir, services: { Pipeline: fakePipeline([]) } })
    const run = await recordEvents(publish({ provider: provider(), files: ['trees.csv'], options: 'generateDir' in options ? { generateDir: path.join(dir, `gen2-${Date.now()}`) } : opts, cwd: dir, services: { Pipeline: fakePipeline([]) } }))
    const planned = Object.fromEntries(plan.steps.filter((s) => s.skipped !== undefined).map((s) => [s.stage, s.skipped]))
    const ran = Object.fromEntries(run.events.flatMap((e) => (e.type === 'stage:skip' ? [[e.stage, e.reason]] : [])))
    expect(Object.keys(planned).length).toBeGreaterThan(0)
    expect(ran).toEqual(planned)
  })

  it('describes every stage without side effects and without secret values', async () => {
    const calls: string[] = []
    const plan = await planPublish({ provider: contextProvider([]), files: ['trees.csv'], options: { secret: 'sentinel-plan-secret', pluginSecret: [['datasette-x', 'key', 'sentinel-plan-plugin']] }, cwd: dir, services: { Pipeline: fakePipeline(calls) } })
    expect(calls).toEqual([])
    expect(plan.steps.map((s) => s.stage)).toEqual(['collect', 'data', 'context', 'build', 'analyze', 'push', 'deploy', 'verify'])
    expect(plan).toMatchObject({ schema: 'datapub.plan/v1', builder: 'remote', databases: ['data'], envNames: ['DATASETTE_SECRET', 'DATASETTE_X_KEY'] })
    const text = JSON.stringify(plan)
    expect(text).not.toContain('sentinel-plan-secret')
    expect(text).not.toContain('sentinel-plan-plugin')
    expect(JSON.parse(text)).toEqual(plan)
  })
})
