import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// Lets `pnpm --filter @datapub/example-publisher exec vitest run` run this package's tests on
// their own, resolving workspace packages to their TypeScript sources like the root config.
const conditions = ['@datapub/source', ...defaultServerConditions]
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@datapub/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 },
})
