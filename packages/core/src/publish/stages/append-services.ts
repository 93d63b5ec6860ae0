import type { PipelineServices } from './pipeline-services.js'

export type AppendServices = Required<Pick<PipelineServices, 'createRegistryClient' | 'buildAppendImage' | 'pushAppendImage' | 'writeDockerArchive'>>

/** Lazy like the other defaults: the registry and append modules load only when append runs. */
export function defaultAppendServices(): AppendServices {
  return {
    createRegistryClient: async (options) => new (await import('../../registry/registry-client.js')).RegistryClient(options),
    buildAppendImage: async (...args) => (await import('../../image/append/build-append-image.js')).buildAppendImage(...args),
    pushAppendImage: async (...args) => (await import('../../image/append/push-append-image.js')).pushAppendImage(...args),
    writeDockerArchive: async (...args) => (await import('../../image/append/write-docker-archive.js')).writeDockerArchive(...args),
  }
}

/** A pipeline replaced by a test or an embedding app may lack the append seams: defaults fill them. */
export function appendServices(pipeline: PipelineServices): AppendServices {
  const defaults = defaultAppendServices()
  return {
    createRegistryClient: pipeline.createRegistryClient ?? defaults.createRegistryClient,
    buildAppendImage: pipeline.buildAppendImage ?? defaults.buildAppendImage,
    pushAppendImage: pipeline.pushAppendImage ?? defaults.pushAppendImage,
    writeDockerArchive: pipeline.writeDockerArchive ?? defaults.writeDockerArchive,
  }
}
