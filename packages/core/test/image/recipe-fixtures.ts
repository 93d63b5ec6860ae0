import type { PublishSpec } from '../../src/contract/publish-spec.js'
import type { RecipeInput } from '../../src/image/recipe-input.js'
import { createTestSpec } from '../../src/testing/create-test-spec.js'

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
  const base = createTestSpec('datasette')
  return createTestSpec('datasette', { env: { DATASETTE_SECRET: 'not-in-the-image' }, verifyTimeoutMs: 120_000, image: { ...base.image, ...image }, ...overrides })
}
