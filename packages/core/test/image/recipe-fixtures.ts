import type { PublishSpec } from '../../src/publish/publish-spec.js'
import type { RecipeInput } from '../../src/image/recipe-input.js'

export function recipeInput(overrides: Partial<RecipeInput> = {}): RecipeInput {
  return {
    baseImage: 'python:3.11-slim-bookworm',
    runtimeImage: 'python:3.11-slim-bookworm',
    python: 'python3',
    datasette: 'datasette',
    install: [],
    pipFindLinks: false,
    builderAptPackages: [],
    aptPackages: [],
    spatialite: false,
    databases: ['data.db'],
    metadata: false,
    templates: false,
    plugins: false,
    staticMounts: [],
    extraOptions: [],
    serveOptions: [],
    port: 8001,
    ...overrides,
  }
}

export function publishSpec(overrides: Partial<PublishSpec> = {}, image: Partial<PublishSpec['image']> = {}): PublishSpec {
  return {
    name: 'datasette',
    inputs: [],
    databaseName: 'data',
    metadata: {},
    extraOptions: [],
    datasette: 'datasette',
    staticMounts: [],
    install: [],
    env: { DATASETTE_SECRET: 'not-in-the-image' },
    image: { baseImage: 'python:3.11-slim-bookworm', runtimeImage: 'python:3.11-slim-bookworm', aptPackages: [], spatialite: false, ...image },
    port: 8001,
    verify: true,
    verifyTimeoutMs: 120_000,
    showFiles: false,
    providerOptions: {},
    ...overrides,
  } as PublishSpec
}
