import type { SerializedError } from './serialized-error.js'

/** The pipeline's stages, in order. Fixed and public: events and plans name them. */
export const STAGES = ['collect', 'data', 'context', 'build', 'analyze', 'push', 'deploy', 'verify'] as const
export type Stage = (typeof STAGES)[number]

/** Every event type datapub streams. One list, so consumers can switch exhaustively. */
export const PUBLISH_EVENT_TYPES = [
  'stage:start',
  'stage:end',
  'stage:skip',
  'log',
  'warning',
  'progress',
  'data:table',
  'image:build:log',
  'image:built',
  'image:analyzed',
  'push:progress',
  'deploy:status',
  'verify:attempt',
  'verify:ok',
  'context:written',
  'error',
  'result',
] as const
export type PublishEventType = (typeof PUBLISH_EVENT_TYPES)[number]

interface Base<T extends PublishEventType> {
  type: T
  /** Milliseconds since the publish started; stable in tests when a clock is injected. */
  elapsedMs: number
  stage?: Stage
}

export interface DeploymentResult {
  provider: string
  /** The provider's id for this deployment (container id, service name, app name...). */
  id: string
  /** Human name of the deployment (`--name`). */
  name: string
  url: string
  imageDigest?: string
  /** inspect-data.json hash of each database served, checked by verify. */
  databases?: Record<string, { hash: string; tables: Record<string, { count: number }> }>
  /**
   * `protected` when the URL answers with a login (Vercel Deployment Protection) instead of the
   * app: never reported as public. The verify stage cannot check it; `verified` lists what the
   * provider checked itself through its bypass, if anything.
   */
  access?: 'public' | 'protected'
  verified?: string[]
  [extra: string]: unknown
}

export type PublishEvent =
  | (Base<'stage:start'> & { stage: Stage; title: string })
  | (Base<'stage:end'> & { stage: Stage; durationMs: number })
  | (Base<'stage:skip'> & { stage: Stage; reason: string })
  | (Base<'log'> & { level: 'debug' | 'info'; message: string })
  | (Base<'warning'> & { code: string; message: string })
  | (Base<'progress'> & { label: string; done: number; total?: number; unit: 'bytes' | 'rows' | 'files' | 'steps' })
  | (Base<'data:table'> & { database: string; table: string; rows: number; columns: number })
  | (Base<'image:build:log'> & { line: string })
  | (Base<'image:built'> & { imageId: string; tag: string; bytes?: number })
  | (Base<'image:analyzed'> & { bytes: number; layers: number; budgetBytes?: number })
  | (Base<'push:progress'> & { ref: string; sentBytes: number; totalBytes: number })
  | (Base<'deploy:status'> & { state: string; message?: string })
  | (Base<'verify:attempt'> & { url: string; attempt: number; remainingMs: number; problem?: string })
  | (Base<'verify:ok'> & { url: string; checked: string[] })
  | (Base<'context:written'> & { dir: string; files: string[]; hash: string })
  | (Base<'error'> & { error: SerializedError })
  | (Base<'result'> & { deployment: DeploymentResult })

export type PublishEventOf<T extends PublishEventType> = Extract<PublishEvent, { type: T }>

/** What a stage or provider passes to `emit`: the runner stamps time and stage. */
export type EventInput = PublishEvent extends infer E ? (E extends PublishEvent ? Omit<E, 'elapsedMs' | 'stage'> & { stage?: Stage } : never) : never

export type Emit = (event: EventInput) => void
