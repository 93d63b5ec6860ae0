import { createContainer } from '../di/create-container.js'
import { isDatapubError } from '../errors/datapub-error.js'
import { toDatapubError } from '../errors/to-datapub-error.js'
import type { AnyProviderDefinition } from '../contract/provider-types.js'
import { migrateDeployment, type MigrateRequest, type MigrateResult } from './migrate-deployment.js'
import { MigrationJournal, type JournalItem, type JournalState } from './migration-journal.js'
import { splitRef, type BatchItem } from './parse-batch-list.js'
import type { MigrationPlan } from './plan-migration.js'

export interface BatchRequest extends Omit<MigrateRequest, 'from' | 'to' | 'checkpoint' | 'onStep'> {
  items: BatchItem[]
  to: { provider: string | AnyProviderDefinition; providerOptions?: Record<string, unknown> }
  /** Options of each source provider, by provider id (tokens usually come from the environment). */
  fromOptions?: Record<string, Record<string, unknown>>
  /** Path of the SQLite journal; reusing it resumes an earlier run. */
  journal: string
  concurrency?: number
  onItem?: (key: string, event: string, detail: string) => void
}

export interface BatchItemReport {
  key: string
  from: string
  to: string
  state: JournalState | 'planned' | 'blocked'
  attempts: number
  step: string | null
  url?: string
  errorCode?: string
  error?: string
  /** True when an earlier run had already migrated it. */
  skipped?: boolean
  plan?: MigrationPlan
}

export interface BatchSummary {
  journal: string
  applied: boolean
  items: BatchItemReport[]
  counts: Record<string, number>
}

/**
 * Migrates many deployments, at most `concurrency` at a time. With `apply`, every item and
 * every step is journaled in SQLite before and after it runs: a rerun with the same journal
 * skips migrated items and resumes the others after their last finished step, so no
 * deployment is migrated twice. Without `apply`, each item is only planned.
 */
export async function migrateBatch(request: BatchRequest): Promise<BatchSummary> {
  const container = request.container ?? createContainer(request.services)
  const signal = request.signal ?? new AbortController().signal
  const toName = typeof request.to.provider === 'string' ? request.to.provider : request.to.provider.name
  const entries = request.items.map((item) => ({ item, key: `${item.from}->${item.to ?? toName}` }))
  const report = (key: string, event: string, detail: string) => request.onItem?.(key, event, detail)
  const single = (item: BatchItem): Omit<MigrateRequest, 'checkpoint' | 'onStep'> => {
    const from = splitRef(item.from)
    const fromOptions = request.fromOptions?.[from.provider]
    const { items: _items, fromOptions: _fromOptions, journal: _journal, concurrency: _concurrency, onItem: _onItem, to: _to, ...shared } = request
    return {
      ...shared,
      container,
      signal,
      from: { provider: from.provider, id: from.id, ...(fromOptions === undefined ? {} : { providerOptions: fromOptions }) },
      to: { provider: item.to ?? request.to.provider, ...(request.to.providerOptions === undefined ? {} : { providerOptions: request.to.providerOptions }), ...(item.name === undefined ? {} : { name: item.name }) },
    }
  }

  if (!request.apply) {
    const items: BatchItemReport[] = []
    await pool(entries, request.concurrency ?? 4, signal, async ({ item, key }) => {
      try {
        const result = (await migrateDeployment({ ...single(item), apply: false })) as Extract<MigrateResult, { kind: 'planned' }>
        items.push({ key, from: item.from, to: item.to ?? toName, state: result.plan.problems.length > 0 ? 'blocked' : 'planned', attempts: 0, step: null, plan: result.plan })
      } catch (error) {
        const e = toDatapubError(error)
        items.push({ key, from: item.from, to: item.to ?? toName, state: 'blocked', attempts: 0, step: 'export', errorCode: e.code, error: e.message })
      }
    })
    const order = new Map(entries.map((e, i) => [e.key, i]))
    items.sort((a, b) => order.get(a.key)! - order.get(b.key)!)
    return { journal: request.journal, applied: false, items, counts: count(items) }
  }

  const journal = new MigrationJournal(request.journal)
  const alreadyDone = new Set<string>()
  try {
    journal.enqueue(entries.map(({ item, key }) => ({ key, from: item.from, to: item.to ?? toName, ...(item.name === undefined ? {} : { name: item.name }) })))
    const todo = entries.filter(({ key }) => {
      if (journal.get(key)?.state !== 'migrated') return true
      alreadyDone.add(key)
      report(key, 'skip', 'migrated in an earlier run')
      return false
    })
    await pool(todo, request.concurrency ?? 4, signal, async ({ item, key }) => {
      journal.start(key)
      report(key, 'start', `attempt ${journal.get(key)?.attempts ?? 1}`)
      try {
        await migrateDeployment({
          ...single(item),
          apply: true,
          checkpoint: {
            get: (step) => journal.get(key)?.outputs[step],
            begin: (step) => journal.beginStep(key, step),
            done: (step, output) => journal.finishStep(key, step, output),
          },
          onStep: (step, state, detail) => report(key, `${step}:${state}`, detail),
        })
        journal.finish(key, 'migrated')
        report(key, 'migrated', '')
      } catch (error) {
        const e = toDatapubError(error)
        const interrupted = signal.aborted || (isDatapubError(error) && error.code === 'ABORTED')
        journal.finish(key, interrupted ? 'interrupted' : 'failed', { code: e.code, message: e.message })
        report(key, interrupted ? 'interrupted' : 'failed', e.message)
      }
    })
    const wanted = new Set(entries.map((e) => e.key))
    const items = journal
      .all()
      .filter((row) => wanted.has(row.key))
      .map((row) => toReport(row, alreadyDone.has(row.key)))
    return { journal: request.journal, applied: true, items, counts: count(items) }
  } finally {
    journal.close()
  }
}

/** Runs every item (a failure does not stop the others) with at most `limit` in flight; stops taking new ones once aborted. */
async function pool<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (!signal.aborted && next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

function toReport(row: JournalItem, skipped: boolean): BatchItemReport {
  const imported = row.outputs.import as { deployment?: { url?: string } } | undefined
  return {
    key: row.key,
    from: row.from,
    to: row.to,
    state: row.state,
    attempts: row.attempts,
    step: row.step,
    ...(imported?.deployment?.url === undefined ? {} : { url: imported.deployment.url }),
    ...(row.errorCode === null ? {} : { errorCode: row.errorCode }),
    ...(row.errorMessage === null ? {} : { error: row.errorMessage }),
    ...(skipped ? { skipped } : {}),
  }
}

function count(items: BatchItemReport[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const item of items) out[item.skipped ? 'skipped' : item.state] = (out[item.skipped ? 'skipped' : item.state] ?? 0) + 1
  return out
}
