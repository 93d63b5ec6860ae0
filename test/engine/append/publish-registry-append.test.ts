import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, publish, type ContainerEngine } from '@datapub/core'
import { defineProvider, z, type DeployInput } from '@datapub/core/kit'
import { recordEvents } from '@datapub/core/testing'
import { defaultPipelineServices } from '@datapub/core/testing'
import type { PushImageResult } from '@datapub/core'
import { engineEnv } from '../../helpers/engine-env.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'

const run = promisify(execFile)
let work: string
let registry: TestRegistry
let env: Record<string, string>
const deploys: DeployInput[] = []

/** A host whose registry is the real loopback one; deploy runs nothing and reports the digest it was given. */
function registryHost(host: () => string) {
  return defineProvider({
    name: 'fake-registry-host',
    apiVersion: 1,
    title: 'Fake registry host',
    options: z.object({}),
    limits: {},
    accepts: 'image',
    create: () => ({
      checkAuth: async () => ({ account: 'tester' }),
      pushTarget: async (input) => ({ registry: host(), repository: 'datapub/site', tags: [`ctx-${input.contextHash.slice(0, 12)}`], manifestFormat: 'oci' as const }),
      deploy: async (input) => {
        deploys.push(input)
        const digest = input.artifact.kind === 'image' ? input.artifact.digest : undefined
        return { provider: 'fake-registry-host', id: input.name, name: input.name, url: 'http://127.0.0.1:9/', ...(digest === undefined ? {} : { imageDigest: digest }) }
      },
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      destroy: async () => {},
      rollback: async () => { throw new Error('unused') },
      export: async (id) => ({ schema: 'datapub.deployment/v1' as const, provider: 'fake-registry-host', id, name: id, options: {}, envNames: [] }),
    }),
  })
}

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-append-registry-'))
  registry = await startRegistry('plain')
  env = { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels }
})

afterAll(async () => {
  await registry?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

async function publishCsv(rows: string, engine: () => Promise<ContainerEngine>) {
  const file = path.join(work, 'birds.csv')
  await writeFile(file, `id,name\n${rows}`)
  const pushes: PushImageResult[] = []
  const defaults = defaultPipelineServices()
  const Pipeline = {
    ...defaults,
    pushAppendImage: async (...args: Parameters<NonNullable<typeof defaults.pushAppendImage>>) => {
      const pushed = await defaults.pushAppendImage!(...args)
      pushes.push(pushed)
      return pushed
    },
  }
  const recorded = await recordEvents(publish({ provider: registryHost(() => registry.host), files: [file], options: { name: 'birds', builder: 'append', verify: false }, cwd: work, container: createContainer({ Env: env, EngineFactory: engine, Pipeline }) }))
  return { ...recorded, pushes }
}

describe('publish --builder append to a host with a registry', () => {
  it('pushes the runtime image once, then only the new layers of a data change, with no engine at all', async () => {
    let engineCalls = 0
    const first = await publishCsv('1,robin\n', () => ((engineCalls += 1), connectEngine({ env })))
    expect(first.error?.toJSON()).toBeUndefined()
    expect(engineCalls).toBeGreaterThan(0)
    // Same registry: the runtime layers are mounted from datapub/site-runtime, never uploaded twice.
    const firstPush = first.pushes[0]!
    expect(firstPush.blobs.filter((b) => b.via === 'mounted').length).toBeGreaterThan(0)

    const second = await publishCsv('1,robin\n2,heron\n', () => Promise.reject(new Error('the engine must not be needed for a data-only republish')))
    expect(second.error?.toJSON()).toBeUndefined()
    expect(second.types()).not.toContain('image:build:log')
    const artifact = deploys.at(-1)!.artifact
    expect(artifact).toMatchObject({ kind: 'image', ref: expect.stringMatching(new RegExp(`^${registry.host.replace(/\./g, '\\.')}/datapub/site@sha256:`)) })
    const digest = artifact.kind === 'image' ? artifact.digest : undefined

    const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/datapub/site@${digest}`])).stdout) as { Digest: string; Layers: string[] }
    expect(inspected.Digest).toBe(digest)

    const pushed = second.pushes[0]!
    const uploaded = pushed.blobs.filter((b) => b.via === 'uploaded')
    const firstLayers = new Set(firstPush.blobs.map((b) => b.digest))
    // Only blobs new to the registry went up: the changed data layers and the config.
    expect(uploaded.every((b) => !firstLayers.has(b.digest))).toBe(true)
    expect(uploaded.length).toBeGreaterThan(0)
    expect(uploaded.length).toBeLessThan(inspected.Layers.length)
    const newBytes = uploaded.reduce((sum, b) => sum + b.size, 0)
    // Bytes over the wire: the new blobs plus one manifest, nothing of the runtime image.
    expect(pushed.bytesSent).toBeLessThanOrEqual(newBytes * 1.05 + 4096)
    expect(second.events.some((e) => e.type === 'log' && e.message.startsWith(`sent ${pushed.bytesSent} bytes`))).toBe(true)
  })
})
