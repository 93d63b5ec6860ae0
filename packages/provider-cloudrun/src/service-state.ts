import type { protos } from '@google-cloud/run'

export type IService = protos.google.cloud.run.v2.IService
export type IRevision = protos.google.cloud.run.v2.IRevision

export type Readiness = 'ready' | 'failed' | 'pending'

/** Ready means the service stopped reconciling and its terminal condition succeeded (service.proto's comment on `reconciling`). */
export function readiness(service: IService): Readiness {
  if (service.reconciling === true) return 'pending'
  const state = conditionState(service.terminalCondition?.state)
  if (state === 'CONDITION_SUCCEEDED') return 'ready'
  if (state === 'CONDITION_FAILED') return 'failed'
  return 'pending'
}

export function revisionIsReady(revision: IRevision): boolean {
  return (revision.conditions ?? []).some((c) => c.type === 'Ready' && conditionState(c.state) === 'CONDITION_SUCCEEDED')
}

const CONDITION_STATES = ['CONDITION_STATE_UNSPECIFIED', 'CONDITION_PENDING', 'CONDITION_RECONCILING', 'CONDITION_FAILED', 'CONDITION_SUCCEEDED']

/** Enums arrive as names from plain calls and as numbers from operation payloads. */
export function conditionState(state: unknown): string {
  return typeof state === 'number' ? (CONDITION_STATES[state] ?? String(state)) : String(state ?? '')
}

/** The revision serving all traffic now: a pinned revision, or the latest ready one. */
export function servingRevision(service: IService): string | undefined {
  const full = (service.trafficStatuses ?? []).find((t) => Number(t.percent ?? 0) === 100)
  if (full?.revision) return full.revision
  return shortName(service.latestReadyRevision ?? undefined)
}

export function shortName(resource: string | null | undefined): string | undefined {
  if (resource === undefined || resource === null || resource === '') return undefined
  return resource.slice(resource.lastIndexOf('/') + 1)
}

/** Timestamps arrive as `{seconds: "…", nanos}` from the REST decoder; older shapes as strings. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value
  const seconds = (value as { seconds?: unknown } | null | undefined)?.seconds
  if (seconds === undefined || seconds === null || Number(seconds) === 0) return undefined
  return new Date(Number(seconds) * 1000).toISOString()
}

export function conditionReason(condition: IService['terminalCondition']): string | undefined {
  const c = condition as Record<string, unknown> | null | undefined
  for (const key of ['revisionReason', 'reason', 'executionReason']) {
    const value = c?.[key]
    if (typeof value === 'string' && value !== '' && !value.endsWith('_UNSPECIFIED')) return value
  }
  return undefined
}
