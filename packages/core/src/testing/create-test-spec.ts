import type { PublishSpec } from '../contract/publish-spec.js'

/** A valid PublishSpec with neutral defaults, for provider tests that call deploy() directly. */
export function createTestSpec(name: string, extra: Partial<PublishSpec> = {}): PublishSpec {
  return {
    name,
    inputs: [],
    databaseName: 'data',
    metadata: {},
    extraOptions: [],
    datasette: 'datasette',
    staticMounts: [],
    install: [],
    env: {},
    image: { baseImage: 'python:3.11-slim-bookworm', runtimeImage: 'python:3.11-slim-bookworm', aptPackages: [], spatialite: false },
    port: 8001,
    showFiles: false,
    verify: true,
    verifyTimeoutMs: 60_000,
    providerOptions: {},
    ...extra,
  }
}
