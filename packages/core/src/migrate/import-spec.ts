import type { PublishSpec } from '../contract/publish-spec.js'

/**
 * The PublishSpec a provider's deploy sees on import. Nothing is built from it (the image or
 * context already exists), so it carries only the name, port, env and the target's options.
 */
export function importSpec(name: string, env: Record<string, string>, providerOptions: Record<string, unknown>, port: number): PublishSpec {
  return {
    name,
    inputs: [],
    databaseName: name,
    metadata: {},
    extraOptions: [],
    datasette: 'datasette',
    staticMounts: [],
    install: [],
    env,
    image: { baseImage: '', runtimeImage: '', aptPackages: [], spatialite: false },
    port,
    verify: false,
    verifyTimeoutMs: 0,
    showFiles: false,
    providerOptions,
  }
}
