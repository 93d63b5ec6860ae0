import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { defineProvider } from '../../src/provider/define-provider.js'
import { DatapubError } from '../../src/errors/datapub-error.js'
import type { PipelineServices } from '../../src/publish/stages/pipeline-services.js'
import type { DeployInput, PushTarget } from '../../src/contract/provider-types.js'
import type { ContainerEngine } from '../../src/contract/container-engine.js'
import type { AppendedImage } from '../../src/image/append/build-append-image.js'
import type { RegistryClient } from '../../src/registry/registry-client.js'

/** Registries the fakes know: `host/repository:tag` present. Only reads are answered. */
export function fakeRegistries(present: Set<string>, calls: string[]): PipelineServices['createRegistryClient'] {
  return async (options) => {
    calls.push(`client ${options.registry}${options.credentials === undefined ? '' : typeof options.credentials === 'function' ? ' docker-config' : ` as ${'username' in options.credentials ? options.credentials.username : 'token'}`}`)
    return {
      registry: options.registry,
      getImageManifest: async (repository: string, reference: string) => {
        calls.push(`get ${options.registry}/${repository}:${reference.slice(0, 4)}…`)
        if (!present.has(`${options.registry}/${repository}`)) throw new DatapubError('IMAGE_NOT_FOUND', 'no such image')
        return { json: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'c', digest: 'sha256:runtimecfg', size: 100 }, layers: [{ mediaType: 'l', digest: 'sha256:base1', size: 7000 }] } }
      },
      close: () => calls.push(`close ${options.registry}`),
    } as unknown as RegistryClient
  }
}

/** Stage implementations that record what they were asked; the append seams return a small fixed image. */
export function fakeAppendPipeline(calls: string[], present: Set<string>): PipelineServices {
  return {
    csvsToSqlite: async (_paths, db) => {
      await writeFile(db, 'db')
      return { database: db, written: true, databases: [], tables: [{ name: 'trees', rows: 2, columns: [], source: [] }], warnings: [] }
    },
    inspectDatabase: async (file, name) => ({ hash: `hash-of-${name}`, size: 2, file: path.basename(file), tables: { trees: { count: 2 } } }),
    writeInspectFile: async () => {},
    assertSqliteDatabase: async () => {},
    createBuildContext: async (_input, contextDir) => ({ dir: contextDir, files: ['Dockerfile'], dockerfile: 'FROM scratch', hash: 'abc123def4567890', bytes: 0, tar: () => { throw new Error('unused') } }),
    buildImage: async (_engine, _context, options) => {
      calls.push(`engine build ${options.tag}`)
      options.onLog?.('Step 1/1 : FROM scratch')
      return { imageId: 'sha256:built', tag: options.tag } as never
    },
    analyzeImage: async () => { throw new Error('append never analyses') },
    assertWithinBudget: async () => {},
    pushEngineImage: async (_engine, ref, target) => {
      calls.push(`engine push ${ref} -> ${target.registry}/${target.repository}:${target.tags.join(',').slice(0, 4)}… ${target.manifestFormat}`)
      return { kind: 'image', ref: `${target.registry}/${target.repository}@sha256:rt`, digest: 'sha256:rt' }
    },
    verifyDeployment: async () => ['data: ok'],
    createRegistryClient: fakeRegistries(present, calls),
    buildAppendImage: async (input) => {
      calls.push(`append onto ${input.base.client.registry}/${input.base.repository} format=${input.format} dbs=${input.recipe.databases.join(',')}`)
      return {
        base: { client: input.base.client, repository: input.base.repository, manifest: { schemaVersion: 2, mediaType: 'm', config: { mediaType: 'c', digest: 'sha256:runtimecfg', size: 100 }, layers: [] } },
        format: input.format,
        layers: [{ digest: 'sha256:datalayer', diffId: 'sha256:d', size: 900, path: '/nowhere', label: 'database data.db', descriptor: { mediaType: 'l', digest: 'sha256:datalayer', size: 900 } }],
        config: { bytes: Buffer.from('{}'), descriptor: { mediaType: 'c', digest: 'sha256:newcfg', size: 100 }, json: {} as never },
        manifest: { bytes: Buffer.from('{}'), mediaType: 'm', digest: 'sha256:manifest', json: {} as never },
        newBytes: 1000,
      } satisfies AppendedImage
    },
    pushAppendImage: async (image, target, options) => {
      calls.push(`append push -> ${target.client.registry}/${target.repository}:${target.tags.join(',')}`)
      options?.onProgress?.({ index: 1, digest: 'sha256:datalayer', bytes: 900, total: 900, state: 'done' })
      return { digest: 'sha256:pushed', blobs: [], bytesSent: 1002 }
    },
    writeDockerArchive: async (_image, file, tag) => {
      calls.push(`archive ${tag}`)
      await writeFile(file, Buffer.alloc(5000))
    },
  }
}

/** An engine that records build and load; building through it is what append must avoid. */
export function fakeEngine(calls: string[]): ContainerEngine {
  return {
    endpoint: 'fake-engine',
    hasNetwork: async () => false,
    loadImage: async (archive: NodeJS.ReadableStream) => {
      let bytes = 0
      for await (const chunk of archive) bytes += (chunk as Buffer).length
      calls.push(`engine load ${bytes} bytes`)
      return ['loaded']
    },
    build: async () => { throw new Error('append must build through pipeline.buildImage') },
  } as unknown as ContainerEngine
}

/** An image provider: with `target`, one that pushes to a registry; without, one that runs what the engine holds (like local). */
export function imageProvider(deploys: DeployInput[], target?: PushTarget) {
  return defineProvider({
    name: target === undefined ? 'engine-host' : 'registry-host',
    apiVersion: 1,
    title: target === undefined ? 'Engine host' : 'Registry host',
    options: z.object({}),
    limits: {},
    accepts: 'image',
    create: () => ({
      checkAuth: async () => ({}),
      ...(target === undefined ? {} : { pushTarget: async () => target }),
      deploy: async (input) => {
        deploys.push(input)
        return { provider: 'x', id: input.name, name: input.name, url: 'http://127.0.0.1:9/' }
      },
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      destroy: async () => {},
      rollback: async () => { throw new Error('unused') },
      export: async (id) => ({ schema: 'datapub.deployment/v1' as const, provider: 'x', id, name: id, options: {}, envNames: [] }),
    }),
  })
}
