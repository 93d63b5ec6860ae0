import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEngine, createContainer, publish, RegistryClient, type ServiceOverrides } from '@datapub/core'
import { defineProvider, z } from '@datapub/core/kit'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'

/**
 * Many publishes pushing to one registry at once: 20 under different names, 5 to one name. The
 * append builder is used so the registry, not the engine, is what they contend for (one runtime
 * image, mounted into every repository).
 */
let work: string
let registry: TestRegistry
let services: ServiceOverrides

function registryHost() {
  return defineProvider({
    name: 'concurrent-registry-host',
    apiVersion: 1,
    title: 'Registry host',
    options: z.object({}),
    limits: {},
    accepts: 'image',
    create: () => ({
      checkAuth: async () => ({}),
      pushTarget: async (input) => ({ registry: registry.host, repository: `sites/${input.name}`, tags: ['live'], manifestFormat: 'oci' as const }),
      deploy: async (input) => ({ provider: 'concurrent-registry-host', id: input.name, name: input.name, url: 'http://127.0.0.1:9/', imageDigest: input.artifact.kind === 'image' ? (input.artifact.digest ?? '') : '' }),
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      destroy: async () => {},
      rollback: async () => { throw new Error('unused') },
      export: async (id) => ({ schema: 'datapub.deployment/v1' as const, provider: 'concurrent-registry-host', id, name: id, options: {}, envNames: [] }),
    }),
  })
}

async function publishRows(name: string, rows: number) {
  const dir = await mkdtemp(path.join(work, `${name}-`))
  const lines = Array.from({ length: rows }, (_, i) => `${i},${name}-row-${i}`)
  await writeFile(path.join(dir, 'items.csv'), `id,label\n${lines.join('\n')}\n`)
  const run = await recordEvents(
    publish({
      provider: registryHost(),
      files: ['items.csv'],
      options: { name, builder: 'append', runtimeRegistry: `${registry.host}/datapub/runtime`, verify: false },
      cwd: dir,
      container: createContainer(services),
    }),
  )
  return { name, rows, run, digest: run.result?.kind === 'deployed' ? String(run.result.deployment.imageDigest) : undefined }
}

/** Every blob a manifest names must be in the repository: a half-pushed image would fail here. */
async function assertComplete(client: RegistryClient, repository: string, reference: string): Promise<string[]> {
  const manifest = await client.getImageManifest(repository, reference)
  for (const blob of [manifest.json.config, ...manifest.json.layers]) expect(await client.blobExists(repository, blob.digest), `${repository} ${blob.digest}`).toBe(blob.size)
  return manifest.json.layers.map((l) => l.digest)
}

beforeAll(async () => {
  const e = engineEnv()
  work = await mkdtemp(path.join(tmpdir(), 'datapub-registry-concurrency-'))
  registry = await startRegistry('plain')
  const env = { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels }
  services = { Env: env, EngineFactory: () => connectEngine({ env }) }
  // The runtime image is built and pushed once; the concurrent publishes below only append.
  const warm = await publishRows('warm-up', 1)
  expect(warm.run.error?.toJSON()).toBeUndefined()
})

afterAll(async () => {
  await registry?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('publishes pushing to one registry at once', () => {
  it('20 names: every image complete, under its own name, with its own data layer', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => publishRows(`site-${i}`, 10 + i)))
    const client = new RegistryClient({ registry: registry.host })
    try {
      const dataLayers = new Set<string>()
      for (const r of results) {
        expect(r.run.error?.toJSON(), r.name).toBeUndefined()
        const layers = await assertComplete(client, `sites/${r.name}`, 'live')
        expect((await client.getManifest(`sites/${r.name}`, 'live')).digest).toBe(r.digest)
        dataLayers.add(layers.at(-2) ?? '')
      }
      // Different data in every publish: no two images share their database layer.
      expect(dataLayers.size).toBe(20)
    } finally {
      client.close()
    }
  })

  it('5 to one name: the tag ends on one of them, and every image pushed is complete', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => publishRows('shared', 100 + i)))
    const client = new RegistryClient({ registry: registry.host })
    try {
      for (const r of results) {
        expect(r.run.error?.toJSON()).toBeUndefined()
        await assertComplete(client, 'sites/shared', r.digest as string)
      }
      const live = (await client.getManifest('sites/shared', 'live')).digest
      expect(results.map((r) => r.digest)).toContain(live)
    } finally {
      client.close()
    }
  })
})
