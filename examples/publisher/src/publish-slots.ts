/** Called with the waiter's place in the queue (1 = next to start) each time it changes. */
export type QueuePositionListener = (position: number, queued: number) => void

interface Waiter {
  onPosition: QueuePositionListener
  start: (release: () => void) => void
}

/**
 * A bounded number of publishes at a time, the rest waiting in arrival order. A publish holds
 * its slot from `acquire()` until it calls the release function; every waiter hears its new
 * position whenever the queue moves, so each visitor can be told where they stand.
 */
export class PublishSlots {
  private active = 0
  private peak = 0
  private readonly waiters: Waiter[] = []

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`maxRunningJobs must be a positive integer, not ${size}`)
  }

  get running(): number {
    return this.active
  }

  get queued(): number {
    return this.waiters.length
  }

  /** The most publishes that ever held a slot at once. */
  get peakRunning(): number {
    return this.peak
  }

  /**
   * Resolves with the release function once a slot is free; rejects with `signal.reason` when
   * the signal fires while still waiting (the waiter leaves the queue and the others move up).
   */
  acquire(signal: AbortSignal, onPosition: QueuePositionListener): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason)
    if (this.active < this.size && this.waiters.length === 0) return Promise.resolve(this.take())
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(signal.reason)
        this.announce(at)
      }
      const waiter: Waiter = {
        onPosition,
        start: (release) => (signal.removeEventListener('abort', onAbort), resolve(release)),
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
      onPosition(this.waiters.length, this.waiters.length)
    })
  }

  private take(): () => void {
    this.active++
    this.peak = Math.max(this.peak, this.active)
    let released = false
    return () => {
      if (released) return
      released = true
      this.active--
      const next = this.waiters.shift()
      if (next !== undefined) next.start(this.take())
      this.announce(0)
    }
  }

  /** Tells every waiter from index `from` on its (new) position. */
  private announce(from: number): void {
    if (from < 0) return
    for (let i = from; i < this.waiters.length; i++) this.waiters[i]?.onPosition(i + 1, this.waiters.length)
  }
}
