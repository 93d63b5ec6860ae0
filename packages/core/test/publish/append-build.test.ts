import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { publish } from '../../src/publish/run-publish.js'
import { recordEvents } from '../../src/testing/record-events.js'
import type { DeployInput, PushTarget } from '../../src/contract/provider-types.js'
import { fakeAppendPipeline, fakeEngine, imageProvider } from './append-fakes.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datapub-append-'))
  await writeFile(path.join(dir, 'trees.csv'), 'id,species\n1,oak\n')
})

const target: PushTarget = { registry: 'registry.example', repository: 'team/site', tags: ['ctx-1'], manifestFormat: 'docker-v2', credentials: { username: 'bot', password: 'sentinel-append-pw' } }

function run(provider: ReturnType<typeof imageProvider>, present: Set<string>, env: Record<string, string> = {}, engine = true) {
  const calls: string[] = []
  const recorded = recordEvents(
    publish({
      provider,
      files: ['trees.csv'],
      options: { name: 'trees', verify: false },
      cwd: dir,
      services: {
        Pipeline: fakeAppendPipeline(calls, present),
        Env: { DATAPUB_BUILDER: 'append', ...env },
        EngineFactory: async () => {
          if (!engine) throw new Error('no engine here')
          calls.push('engine connect')
          return fakeEngine(calls)
        },
      },
    }),
  )
  return recorded.then((r) => ({ ...r, calls }))
}

const stages = (events: Array<{ type: string; stage?: string }>) => events.filter((e) => e.type.startsWith('stage:')).map((e) => `${e.type.slice(6)} ${e.stage}`)

describe('publish --builder append', () => {
  it('to a registry host: runtime image found, only the appended image is pushed, no engine at all', async () => {
    const deploys: DeployInput[] = []
    const r = await run(imageProvider(deploys, target), new Set(['registry.example/team/site-runtime']), {}, false)
    expect(r.error?.toJSON()).toBeUndefined()
    expect(r.calls).toEqual([
      'client registry.example as bot',
      expect.stringMatching(/^get registry\.example\/team\/site-runtime:[0-9a-f]{4}…$/),
      'append onto registry.example/team/site-runtime format=docker dbs=data.db',
      'append push -> registry.example/team/site:ctx-1',
      'close registry.example',
    ])
    expect(stages(r.events).slice(4)).toEqual(['start context', 'end context', 'start build', 'end build', 'skip analyze', 'start push', 'end push', 'start deploy', 'end deploy', 'skip verify'])
    expect(r.events.find((e) => e.type === 'stage:start' && e.stage === 'build')).toMatchObject({ title: expect.stringContaining('append builder') })
    expect(r.events.find((e) => e.type === 'push:progress')).toMatchObject({ ref: 'registry.example/team/site', sentBytes: 900, totalBytes: 1000 })
    expect(r.events.find((e) => e.type === 'log' && e.stage === 'push')).toMatchObject({ message: expect.stringMatching(/^sent 1002 bytes to registry\.example\/team\/site for 1000 bytes of new layers and config \(1\.00x\)/) })
    expect(deploys[0]?.artifact).toEqual({ kind: 'image', ref: 'registry.example/team/site@sha256:pushed', digest: 'sha256:pushed', configDigest: 'sha256:newcfg' })
    expect(r.serialized()).not.toContain('sentinel-append-pw')
  })

  it('builds and pushes the runtime image on the engine when the registry lacks it, and says it is once', async () => {
    const deploys: DeployInput[] = []
    const r = await run(imageProvider(deploys, target), new Set())
    expect(r.error?.toJSON()).toBeUndefined()
    const key = /datapub-runtime\/site-runtime:([0-9a-f]{16})/.exec(r.calls.join('\n'))?.[1]
    expect(key).toBeDefined()
    expect(r.calls.filter((c) => c.startsWith('engine ') || c.startsWith('append '))).toEqual([
      'engine connect',
      `engine build datapub-runtime/site-runtime:${key}`,
      `engine push datapub-runtime/site-runtime:${key} -> registry.example/team/site-runtime:${key!.slice(0, 4)}… docker-v2`,
      'append onto registry.example/team/site-runtime format=docker dbs=data.db',
      'append push -> registry.example/team/site:ctx-1',
    ])
    const logs = r.events.filter((e) => e.type === 'log' && e.stage === 'build').map((e) => (e as { message: string }).message)
    expect(logs[0]).toContain('is missing: building it once on the engine')
    expect(r.types()).toContain('image:build:log')
  })

  it('to an engine host: loads a docker-archive into the engine instead of building', async () => {
    const deploys: DeployInput[] = []
    const r = await run(imageProvider(deploys), new Set(['127.0.0.1:5000/datapub/runtime']), { DATAPUB_RUNTIME_REGISTRY: '127.0.0.1:5000/datapub/runtime' })
    expect(r.error?.toJSON()).toBeUndefined()
    expect(r.calls.filter((c) => !c.startsWith('get ') && !c.startsWith('close'))).toEqual([
      'client 127.0.0.1:5000 docker-config',
      'append onto 127.0.0.1:5000/datapub/runtime format=docker dbs=data.db',
      'archive datapub/trees:abc123def456',
      'engine connect',
      'engine load 5000 bytes',
    ])
    expect(r.types()).not.toContain('image:build:log')
    expect(r.events.filter((e) => e.type === 'push:progress').at(-1)).toMatchObject({ sentBytes: 5000, totalBytes: 5000 })
    expect(deploys[0]?.artifact).toEqual({ kind: 'image', ref: 'datapub/trees:abc123def456', imageId: 'sha256:newcfg' })
  })

  it('to an engine host without a runtime registry: warns naming the option and builds with the engine', async () => {
    const deploys: DeployInput[] = []
    const r = await run(imageProvider(deploys), new Set())
    expect(r.error?.toJSON()).toBeUndefined()
    expect(r.events.find((e) => e.type === 'warning')).toMatchObject({ code: 'APPEND_NEEDS_RUNTIME_REGISTRY', message: expect.stringContaining('--runtime-registry') })
    expect(r.calls).toEqual(['engine connect', 'engine build datapub/trees:abc123def456'])
    expect(stages(r.events)).toContain('skip push')
    expect(deploys[0]?.artifact).toMatchObject({ kind: 'image', ref: 'datapub/trees:abc123def456' })
  })

  it('the engine builder stays the default', async () => {
    const deploys: DeployInput[] = []
    const calls: string[] = []
    const r = await recordEvents(publish({ provider: imageProvider(deploys), files: ['trees.csv'], options: { name: 'trees', verify: false }, cwd: dir, services: { Pipeline: fakeAppendPipeline(calls, new Set()), Env: {}, EngineFactory: async () => fakeEngine(calls) } }))
    expect(r.error?.toJSON()).toBeUndefined()
    expect(calls).toEqual(['engine build datapub/trees:abc123def456'])
  })
})
