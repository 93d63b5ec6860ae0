import type { buildAppendImage } from '../../image/append/build-append-image.js'
import type { pushAppendImage } from '../../image/append/push-append-image.js'
import type { writeDockerArchive } from '../../image/append/write-docker-archive.js'
import type { RegistryClient, RegistryClientOptions } from '../../registry/registry-client.js'

/** The append builder's seams: every registry call it makes, and how its image is built, pushed or loaded. */
export interface AppendServices {
  createRegistryClient: (options: RegistryClientOptions) => Promise<RegistryClient>
  buildAppendImage: typeof buildAppendImage
  pushAppendImage: typeof pushAppendImage
  writeDockerArchive: typeof writeDockerArchive
}

/** Lazy like the other defaults: the registry and append modules load only when append runs. */
export function defaultAppendServices(): AppendServices {
  return {
    createRegistryClient: async (options) => new (await import('../../registry/registry-client.js')).RegistryClient(options),
    buildAppendImage: async (...args) => (await import('../../image/append/build-append-image.js')).buildAppendImage(...args),
    pushAppendImage: async (...args) => (await import('../../image/append/push-append-image.js')).pushAppendImage(...args),
    writeDockerArchive: async (...args) => (await import('../../image/append/write-docker-archive.js')).writeDockerArchive(...args),
  }
}
