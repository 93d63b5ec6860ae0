/**
 * fast-check parameters shared by the fuzz tests: a fixed seed so a run is reproducible, and a
 * run count that the nightly mode raises. `DATAPUB_FUZZ_RUNS=N` multiplies every property's
 * default runs by N / 1000 (at least its default); `FUZZ_SEED=<n>` replays another seed.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261202)

export function fuzzParams(defaultRuns: number): { seed: number; numRuns: number; endOnFailure: boolean } {
  const scale = Number(process.env.DATAPUB_FUZZ_RUNS ?? 0)
  const numRuns = scale > 0 ? Math.max(defaultRuns, Math.round((defaultRuns * scale) / 1000)) : defaultRuns
  return { seed: FUZZ_SEED, numRuns, endOnFailure: false }
}

/** True when the nightly-sized mode was asked for: long-running properties use it to scale their timeouts. */
export const NIGHTLY_FUZZ = Number(process.env.DATAPUB_FUZZ_RUNS ?? 0) > 0
