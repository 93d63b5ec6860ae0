import type { ContainerEngine, ServiceOverrides } from '@datapub/core'
import type { PushTarget } from '@datapub/core/kit'
import { defaultPipelineServices } from '@datapub/core/testing'

export const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`
export const MANIFEST_DIGEST = `sha256:${'d'.repeat(64)}`

export interface FakeImageStages {
  services: Pick<ServiceOverrides, 'EngineFactory' | 'Pipeline'>
  /** Push targets the pipeline was handed, credentials included: the scan must not find them anywhere else. */
  pushes: PushTarget[]
}

/**
 * Real collect, data and context stages; build, analyze, push and verify replaced, so a host's
 * API (mocked with nock) can be driven through publish() without an engine or registry.
 * `push` may throw to simulate a registry failure.
 */
export function fakeImageStages(options: { push?: (target: PushTarget) => void } = {}): FakeImageStages {
  const pushes: PushTarget[] = []
  const engine = { endpoint: 'fake://engine', hasNetwork: async () => true } as unknown as ContainerEngine
  return {
    pushes,
    services: {
      EngineFactory: async () => engine,
      Pipeline: {
        ...defaultPipelineServices(),
        buildImage: async (_engine, context, o) => ({ imageId: `sha256:${context.hash}`, tag: o.tag, log: [], steps: [] }) as never,
        analyzeImage: async () => ({ format: 'docker-archive', totalBytes: 1000, compressedBytes: 500, layers: [], largestDirectories: [], largestFiles: [] }) as never,
        assertWithinBudget: async () => undefined,
        pushEngineImage: async (_engine, _ref, target) => {
          pushes.push(target)
          options.push?.(target)
          return { kind: 'image', ref: `${target.registry}/${target.repository}@${MANIFEST_DIGEST}`, digest: MANIFEST_DIGEST, configDigest: CONFIG_DIGEST }
        },
        verifyDeployment: async (_url, databases) => Object.keys(databases),
      },
    },
  }
}
