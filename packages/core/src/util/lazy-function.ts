/**
 * An async function whose module loads on the first call. The package entry exports these for
 * the pipeline, migration and data calls, so `import '@datapub/core'` does not load zod, the
 * pipeline or its dependencies before anything runs (bench/import-cost.bench.mjs).
 */
export function lazyFunction<F extends (...args: never[]) => Promise<unknown>>(load: () => Promise<F>): F {
  return (async (...args: Parameters<F>) => (await load())(...args)) as F
}
