import { randomBytes } from 'node:crypto'

/** One SSE frame: `id` orders them so a reconnecting browser resumes where it stopped. */
export interface JobFrame {
  id: number
  event: string
  data: string
}

export interface Job {
  /** 192 random bits: knowing the id is the only way to see the job. */
  readonly id: string
  readonly controller: AbortController
  readonly frames: JobFrame[]
  readonly listeners: Set<(frame: JobFrame) => void>
  /** queued: waiting for a publish slot; running: publishing; finished: ended either way. */
  state: 'queued' | 'running' | 'finished'
  finished: boolean
}

/**
 * Jobs in memory, by unguessable id. A finished job's frames stay replayable for `ttlMs`, then
 * the job is forgotten.
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly ttlMs: number) {}

  create(): Job {
    const job: Job = { id: randomBytes(24).toString('base64url'), controller: new AbortController(), frames: [], listeners: new Set(), state: 'queued', finished: false }
    this.jobs.set(job.id, job)
    return job
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id)
  }

  /** Jobs still remembered (unfinished ones and finished ones within their replay time). */
  get size(): number {
    return this.jobs.size
  }

  append(job: Job, event: string, data: string): void {
    const frame = { id: job.frames.length + 1, event, data }
    job.frames.push(frame)
    for (const listener of job.listeners) listener(frame)
  }

  finish(job: Job): void {
    job.finished = true
    job.state = 'finished'
    this.append(job, 'end', '{}')
    job.listeners.clear()
    const timer = setTimeout(() => (this.jobs.delete(job.id), this.timers.delete(timer)), this.ttlMs)
    timer.unref()
    this.timers.add(timer)
  }

  /** Cancels every running job and forgets them all (server shutdown). */
  close(): void {
    for (const job of this.jobs.values()) if (!job.finished) job.controller.abort()
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}
