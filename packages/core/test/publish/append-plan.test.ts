import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { planPublish } from '../../src/publish/plan/plan-publish.js'
import { resolveBuilder } from '../../src/publish/spec/resolve-builder.js'
import type { PushTarget } from '../../src/contract/provider-types.js'
import { fakeAppendPipeline, imageProvider } from './append-fakes.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-append-plan-'))
  await writeFile(path.join(dir, 'trees.csv'), 'id,species\n1,oak\n2,ash\n')
})

const target: PushTarget = { registry: 'registry.example', repository: 'team/site', tags: ['t'], manifestFormat: 'oci' }

async function plan(provider: ReturnType<typeof imageProvider>, present: Set<string>, options: Record<string, unknown>) {
  const calls: string[] = []
  const result = await planPublish({ provider, files: ['trees.csv'], options: { builder: 'append', ...options }, cwd: dir, services: { Pipeline: fakeAppendPipeline(calls, present), Env: {} } })
  return { result, calls }
}

describe('plan with --builder append', () => {
  it('local-like host, runtime image found: append, the archive bytes, and reads only', async () => {
    const { result, calls } = await plan(imageProvider([]), new Set(['127.0.0.1:5000/rt']), { runtimeRegistry: '127.0.0.1:5000/rt' })
    expect(result.builder).toBe('append')
    // 23 bytes of CSV + the runtime image's config (100) and layer (7000).
    expect(result.transfer).toMatchObject({ bytes: 23 + 7100, runtimeImage: 'found' })
    expect(result.steps.find((s) => s.stage === 'build')?.action).toMatch(/^append data layers onto the runtime image 127\.0\.0\.1:5000\/rt:[0-9a-f]{16} \(found: no engine build\)$/)
    expect(result.steps.find((s) => s.stage === 'push')?.action).toContain('docker-archive')
    expect(result.steps.find((s) => s.stage === 'analyze')?.skipped).toMatch(/^the append builder adds data layers only/)
    expect(calls.every((c) => c.startsWith('client ') || c.startsWith('get ') || c.startsWith('close '))).toBe(true)
  })

  it('runtime image missing: says the engine builds it once first', async () => {
    const { result } = await plan(imageProvider([], target), new Set(), { runtimeRegistry: 'registry.example/team/rt' })
    expect(result.transfer).toMatchObject({ bytes: 23, runtimeImage: 'missing' })
    expect(result.steps.find((s) => s.stage === 'build')?.action).toContain('missing: the engine builds and pushes it once first')
    expect(result.steps.find((s) => s.stage === 'push')).toEqual({ stage: 'push', action: expect.stringContaining('only the blobs its registry lacks') })
  })

  it('registry host without --runtime-registry: never asks the provider for its push target', async () => {
    const { result, calls } = await plan(imageProvider([], target), new Set(), {})
    expect(calls).toEqual([])
    expect(result.transfer).toMatchObject({ runtimeImage: 'unknown', bytes: 23 })
    expect(result.steps.find((s) => s.stage === 'build')?.action).toContain('Registry host registry, repository <repository>-runtime')
  })

  it('local-like host without a runtime registry: the engine builder, naming the option', async () => {
    const { result } = await plan(imageProvider([]), new Set(), {})
    expect(result.builder).toBe('engine')
    expect(result.transfer).toBeUndefined()
    expect(result.steps.find((s) => s.stage === 'build')?.action).toContain('--runtime-registry')
  })
})

describe('resolveBuilder', () => {
  it('takes the option, then DATAPUB_BUILDER, then engine', () => {
    expect(resolveBuilder({ builder: 'engine' }, { DATAPUB_BUILDER: 'append' })).toEqual({ builder: 'engine' })
    expect(resolveBuilder({}, { DATAPUB_BUILDER: 'append' })).toEqual({ builder: 'append' })
    expect(resolveBuilder({}, {})).toEqual({ builder: 'engine' })
  })

  it('refuses an unknown DATAPUB_BUILDER by name', () => {
    expect(() => resolveBuilder({}, { DATAPUB_BUILDER: 'kaniko' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('DATAPUB_BUILDER') }))
  })

  it('parses HOST[:PORT]/REPOSITORY and refuses tags, missing hosts and upper case', () => {
    expect(resolveBuilder({ runtimeRegistry: '127.0.0.1:5000/datapub/runtime' }, {})).toEqual({ builder: 'engine', runtimeRegistry: { registry: '127.0.0.1:5000', repository: 'datapub/runtime' } })
    expect(resolveBuilder({}, { DATAPUB_RUNTIME_REGISTRY: 'ghcr.io/me/rt' }).runtimeRegistry).toEqual({ registry: 'ghcr.io', repository: 'me/rt' })
    expect(resolveBuilder({ runtimeRegistry: 'localhost/rt' }, {}).runtimeRegistry).toEqual({ registry: 'localhost', repository: 'rt' })
    for (const bad of ['library/runtime', 'ghcr.io/me/rt:latest', 'ghcr.io/Me/rt', 'ghcr.io', 'ghcr.io/rt/', 'https://ghcr.io/rt']) {
      expect(() => resolveBuilder({ runtimeRegistry: bad }, {}), bad).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'runtimeRegistry' }))
    }
  })
})
