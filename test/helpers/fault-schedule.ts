/** Faults a host or registry can throw at a client. */
export type FaultKind = 'status-429' | 'status-500' | 'status-502' | 'status-503' | 'reset-before' | 'reset-after' | 'slow' | 'timeout'

export interface ScheduledFault {
  kind: FaultKind
  /** Seconds for a Retry-After header, when the fault sends one. */
  retryAfter?: number
  /** Milliseconds for slow answers. */
  delayMs?: number
}

export interface FaultSchedule {
  readonly seed: number
  /** Decides, for the next request at `step`, whether it fails and how (from `kinds` when given). Deterministic for a seed. */
  next(step: string, kinds?: FaultKind[]): ScheduledFault | undefined
  /** A uniform number in [0, 1) from the same stream, for choices a test makes around the faults. */
  random(): number
  /** What was injected, in order: `step: kind`. */
  readonly injected: string[]
  /** The seed and the faults, to paste into a bug report or rerun with FAULT_SEED. */
  describe(): string
}

/** mulberry32: tiny, fast, and good enough to spread faults; never for anything cryptographic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A seeded random fault schedule: each request fails with probability `rate`, with a kind drawn
 * from `kinds`, but never more than `maxConsecutive` times in a row at one step, so a client
 * with a sane retry budget can still get through and both outcomes (success and coded failure) occur.
 */
export function createFaultSchedule(seed: number, options: { rate?: number; kinds: FaultKind[]; maxConsecutive?: number; slowMs?: number }): FaultSchedule {
  const random = prng(seed)
  const rate = options.rate ?? 0.25
  const maxConsecutive = options.maxConsecutive ?? 2
  const streak = new Map<string, number>()
  const injected: string[] = []
  return {
    seed,
    injected,
    random,
    next(step, kinds = options.kinds) {
      const run = streak.get(step) ?? 0
      if (run >= maxConsecutive || random() >= rate) {
        streak.set(step, 0)
        return undefined
      }
      streak.set(step, run + 1)
      const kind = kinds[Math.floor(random() * kinds.length)]!
      const fault: ScheduledFault = { kind }
      if (kind.startsWith('status-') && random() < 0.5) fault.retryAfter = 0
      if (kind === 'slow') fault.delayMs = Math.round((options.slowMs ?? 200) * (0.5 + random()))
      injected.push(`${step}: ${kind}${fault.retryAfter === undefined ? '' : ' (Retry-After: 0)'}`)
      return fault
    },
    describe: () => `seed ${seed} (rerun with FAULT_SEED=${seed}); injected ${injected.length}: ${injected.join(', ') || 'none'}`,
  }
}

/** Seeds for a run: FAULT_SEED pins one (to replay a failure), otherwise `count` seeds from a base. */
export function faultSeeds(count: number, base = 0x5eed): number[] {
  const pinned = process.env.FAULT_SEED
  if (pinned !== undefined && pinned !== '') return [Number(pinned)]
  return Array.from({ length: count }, (_, i) => (base + i * 7919) >>> 0)
}
