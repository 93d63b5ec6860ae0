import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { createContainer } from '../../src/di/create-container.js'
import { defineProvider } from '../../src/provider/define-provider.js'
import { ProviderRegistry } from '../../src/provider/provider-registry.js'
import type { DeployInput } from '../../src/contract/provider-types.js'

/**
 * Two in-process providers for migration tests: a source whose deployments are served by
 * loopback servers the test controls, and a target that records every call and answers with
 * the URL the test assigned to each name.
 */
export function fakeHosts(sourceUrls: Record<string, string>, targetUrls: Record<string, string>) {
  const calls = { export: [] as string[], destroy: [] as string[], deploy: [] as Array<Pick<DeployInput, 'name' | 'env'> & { kind: string }> }
  let inFlight = 0
  let maxInFlight = 0
  const hooks: { beforeDeploy?: (name: string, signal: AbortSignal) => Promise<void> } = {}
  const source = defineProvider({
    name: 'fakesrc',
    apiVersion: 1,
    title: 'Fake source',
    options: z.object({}),
    accepts: 'context',
    limits: {},
    create: () => ({
      checkAuth: async () => ({}),
      deploy: async () => Promise.reject(new Error('not used')),
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      rollback: async () => Promise.reject(new Error('not used')),
      destroy: async (id) => void calls.destroy.push(id),
      export: async (id) => {
        calls.export.push(id)
        return { schema: 'datapub.deployment/v1' as const, provider: 'fakesrc', id, name: id, ...(sourceUrls[id] ? { url: sourceUrls[id] } : {}), options: {}, envNames: ['DATASETTE_SECRET'] }
      },
    }),
  })
  const target = defineProvider({
    name: 'faketgt',
    apiVersion: 1,
    title: 'Fake target',
    options: z.object({ region: z.string().default('eu') }),
    accepts: 'context',
    limits: { namePattern: { value: '^[a-z][a-z0-9-]*$', source: 'test' } },
    create: () => ({
      checkAuth: async () => ({}),
      deploy: async (input) => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        try {
          await hooks.beforeDeploy?.(input.name, input.signal)
          calls.deploy.push({ name: input.name, env: input.env, kind: input.artifact.kind })
          const url = targetUrls[input.name]
          if (url === undefined) throw new Error(`no target URL for ${input.name}`)
          return { provider: 'faketgt', id: input.name, name: input.name, url }
        } finally {
          inFlight--
        }
      },
      status: async (id) => ({ id, name: id, state: 'ready' }),
      list: async () => [],
      rollback: async () => Promise.reject(new Error('not used')),
      destroy: async () => {},
      export: async () => Promise.reject(new Error('not used')),
    }),
  })
  const container = (env: Record<string, string> = { DATAPUB_SECRET_DATASETTE_SECRET: 'sentinel-migrate-secret-0a1' }) =>
    createContainer({ ProviderRegistry: new ProviderRegistry().register(source).register(target), Env: env })
  return { source, target, calls, hooks, container, maxInFlight: () => maxInFlight }
}

/** A recorded build context as a publisher kept it (`--generate-dir`): what an unverified rebuild starts from. */
export async function keptContext(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kept-context-'))
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n')
  await writeFile(path.join(dir, 'birds.db'), 'not really sqlite')
  return dir
}
