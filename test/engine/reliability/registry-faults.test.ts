import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContainer, DatapubError, publish, ProviderRegistry, type ServiceOverrides } from '@datapub/core'
import { defineProvider, z } from '@datapub/core/kit'
import { recordEvents } from '@datapub/core/testing'
import { engineEnv } from '../../helpers/engine-env.js'
import { faultSeeds, prng } from '../../helpers/fault-schedule.js'
import { createSecretScan } from '../../helpers/secret-scan.js'
import { startFaultProxy, type FaultProxy, type InjectedFault } from '../../helpers/registry/start-fault-proxy.js'
import { startRegistry, type TestRegistry } from '../../helpers/registry/start-registry.js'

const SEEDS = faultSeeds(6, 0xfa17)
const STEPS: Array<{ method: string; path: RegExp }> = [
  { method: 'GET', path: /^\/v2\/$/ },
  { method: 'HEAD', path: /\/blobs\/sha256:/ },
  { method: 'POST', path: /\/blobs\/uploads\/$/ },
  { method: 'PATCH', path: /\/blobs\/uploads\/./ },
  { method: 'PUT', path: /\/blobs\/uploads\/./ },
  { method: 'HEAD', path: /\/manifests\// },
  { method: 'PUT', path: /\/manifests\// },
]
const tally = { runs: 0, faultsInjected: 0, firstRunPushed: 0, codedFailures: 0, resumed: 0, losses: 0 }
let registry: TestRegistry
let work: string
let services: ServiceOverrides

beforeAll(async () => {
  const e = engineEnv()
  registry = await startRegistry('htpasswd')
  work = await mkdtemp(path.join(tmpdir(), 'datapub-registry-faults-'))
  await writeFile(path.join(work, 'birds.csv'), 'id,name\n1,robin\n2,heron\n')
  services = { Env: { DOCKER_HOST: e.dockerHost, DATAPUB_BASE_IMAGE: e.baseImage, DATAPUB_PIP_FIND_LINKS: e.wheels } }
})
afterAll(async () => {
  await registry?.stop()
  await rm(work, { recursive: true, force: true })
  console.info(`registry faults: ${JSON.stringify(tally)}`)
})

/** A provider that pushes to the test registry through `proxy` and deploys nothing: the push is what is under test. */
function pushOnly(proxy: FaultProxy, repository: string) {
  const unsupported = async (): Promise<never> => {
    throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', 'push-only test provider', { fault: 'internal' })
  }
  return defineProvider({
    name: 'push-only',
    apiVersion: 1,
    title: 'Test registry behind a fault proxy',
    options: z.object({}),
    limits: {},
    accepts: 'image',
    create: () => ({
      checkAuth: async () => ({ account: registry.username }),
      pushTarget: async ({ contextHash }) => ({ registry: proxy.host, repository, tags: [`t-${contextHash.slice(0, 12)}`], credentials: { username: registry.username, password: registry.password }, manifestFormat: 'docker-v2', insecure: true }),
      deploy: async ({ name, artifact }) => ({ provider: 'push-only', id: name, name, url: `http://${registry.host}/v2/${repository}/`, imageDigest: artifact.kind === 'image' ? (artifact.digest ?? '') : '' }),
      status: unsupported,
      list: unsupported,
      destroy: unsupported,
      rollback: unsupported,
      export: unsupported,
    }),
  })
}

async function pushThrough(proxy: FaultProxy, repository: string) {
  const provider = pushOnly(proxy, repository)
  const registryOfProviders = new ProviderRegistry().register(provider)
  return recordEvents(publish({ provider: 'push-only', files: ['birds.csv'], cwd: work, options: { name: 'birds', verify: false }, container: createContainer({ ...services, ProviderRegistry: registryOfProviders }) }))
}

/** Reads the pushed image back from the registry itself, not through the proxy: manifest, config and every layer. */
async function assertStored(repository: string, digest: string, why: string): Promise<void> {
  const auth = { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` }
  const base = `http://${registry.host}/v2/${repository}`
  const manifest = await fetch(`${base}/manifests/${digest}`, { headers: { ...auth, accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
  expect(manifest.status, why).toBe(200)
  const json = (await manifest.json()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> }
  for (const blob of [json.config, ...json.layers]) {
    const head = await fetch(`${base}/blobs/${blob.digest}`, { method: 'HEAD', headers: auth })
    expect(`${blob.digest} ${head.status} ${head.headers.get('content-length')}`, why).toBe(`${blob.digest} 200 ${blob.size}`)
  }
}

describe('registry faults in seeded random schedules, through publish() with a real build and push', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: the push completes correctly or fails coded, and a clean rerun completes`, { timeout: 600_000 }, async () => {
      const random = prng(seed)
      const repository = `faults/s${seed}`
      const proxy = await startFaultProxy(registry.host)
      const plan: string[] = []
      for (let i = 0; i < 4; i++) {
        const step = STEPS[Math.floor(random() * STEPS.length)]!
        const r = random()
        const fault: InjectedFault =
          r < 0.2 ? { kind: 'status', status: 429, retryAfter: '0' } :
          r < 0.45 ? { kind: 'status', status: [500, 502, 503][Math.floor(random() * 3)]! } :
          r < 0.65 ? { kind: 'reset-request', afterBytes: Math.floor(random() * 1_000_000) } :
          r < 0.85 ? { kind: 'reset-response', afterBytes: Math.floor(random() * 64) } :
          { kind: 'slow', delayMs: Math.floor(100 + random() * 400) }
        const times = 1 + Math.floor(random() * 2)
        proxy.inject({ method: step.method, path: step.path, fault, times })
        plan.push(`${step.method} ${step.path.source}: ${JSON.stringify(fault)} x${times}`)
      }
      const scan = createSecretScan([registry.password])
      let lost = true
      try {
        const first = await pushThrough(proxy, repository)
        const applied = proxy.log.filter((e) => e.fault !== undefined)
        const why = `seed ${seed} (FAULT_SEED=${seed}); planned ${plan.join('; ')}; applied ${applied.map((e) => `${e.method} ${e.path} ${e.fault}`).join(', ') || 'none'}`
        tally.runs++
        tally.faultsInjected += applied.length
        scan.text('events', first.serialized())
        scan.error('error', first.error)
        if (first.error === undefined) {
          const deployed = first.result?.kind === 'deployed' ? first.result.deployment : undefined
          await assertStored(repository, deployed!.imageDigest!, why)
          tally.firstRunPushed++
        } else {
          expect(first.error.code, `${why}\n${first.error.message}`).toMatch(/^[A-Z][A-Z0-9_]+$/)
          expect(first.error.fault, `${why}\n${first.error.message}`).not.toBe('internal')
          tally.codedFailures++
        }
        const clean = await startFaultProxy(registry.host)
        try {
          const second = await pushThrough(clean, repository)
          expect(second.error?.toJSON(), why).toBeUndefined()
          const deployed = second.result?.kind === 'deployed' ? second.result.deployment : undefined
          await assertStored(repository, deployed!.imageDigest!, why)
          if (first.error !== undefined) tally.resumed++
        } finally {
          await clean.stop()
        }
        expect(scan.hits(), why).toEqual([])
        lost = false
      } finally {
        if (lost) tally.losses++
        await proxy.stop()
      }
    })
  }
})
