import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources through the @datapub/source condition.
// Without `module`: with it Node would load builds that only bundlers can run (@aws-sdk's dist-es).
const conditions = ['@datapub/source', ...defaultServerConditions.filter((c) => c !== 'module')]
const resolve = { conditions }
const ssr = { resolve: { conditions, externalConditions: ['@datapub/source'] } }

export default defineConfig({
  resolve,
  ssr,
  test: {
    clearMocks: true,
    restoreMocks: true,
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/fixtures/plugins/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: ['**/*.engine.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'engine',
          include: ['test/engine/**/*.test.ts', 'packages/*/test/**/*.engine.test.ts', 'examples/*/test/**/*.engine.test.ts'],
          globalSetup: ['test/helpers/engine-global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One engine with vfs storage on two cores: parallel builds only slow each other down.
          fileParallelism: false,
        },
      },
    ],
  },
})
