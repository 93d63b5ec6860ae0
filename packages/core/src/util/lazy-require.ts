import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A CommonJS dependency loaded on first use: importing core must not pay for axios, tsyringe,
 * better-sqlite3, yaml or tar-stream before a call needs them (see bench/import-cost). Types stay
 * ordinary `import type`s; only the value waits.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= require(id) as T)
}
