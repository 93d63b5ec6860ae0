import type Database from 'better-sqlite3'
import { sqlite } from '../util/sqlite.js'
import { diskFullError, isDiskFull } from '../errors/disk-full-error.js'
import type { MigrationStepName } from './plan-migration.js'

export type JournalState = 'pending' | 'running' | 'migrated' | 'failed' | 'interrupted'

export interface JournalItem {
  key: string
  from: string
  to: string
  name: string | null
  state: JournalState
  /** The step last begun or finished. */
  step: MigrationStepName | null
  /** Times a run started work on the item. */
  attempts: number
  createdAt: string
  startedAt: string | null
  updatedAt: string
  finishedAt: string | null
  errorCode: string | null
  errorMessage: string | null
  /** Output of each finished step, which a resumed run reuses instead of repeating the step. */
  outputs: Partial<Record<MigrationStepName, unknown>>
}

interface Row {
  key: string
  from_ref: string
  to_ref: string
  name: string | null
  state: JournalState
  step: MigrationStepName | null
  attempts: number
  created_at: string
  started_at: string | null
  updated_at: string
  finished_at: string | null
  error_code: string | null
  error_message: string | null
  outputs: string
}

/**
 * The batch journal: one SQLite row per item. Every transition is its own committed statement
 * (WAL, synchronous=FULL), so a killed process leaves a journal that says exactly which steps
 * finished, and a rerun continues from there.
 */
export class MigrationJournal {
  readonly file: string
  readonly #db: Database.Database

  constructor(file: string) {
    this.file = file
    try {
      this.#db = new (sqlite())(file)
    } catch (error) {
      if (isDiskFull(error)) throw diskFullError(file, { cause: error, what: `the migration journal ${file}` })
      throw error
    }
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = FULL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(`CREATE TABLE IF NOT EXISTS migration_items (
      key TEXT PRIMARY KEY,
      from_ref TEXT NOT NULL,
      to_ref TEXT NOT NULL,
      name TEXT,
      state TEXT NOT NULL CHECK (state IN ('pending','running','migrated','failed','interrupted')),
      step TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      started_at TEXT,
      updated_at TEXT NOT NULL,
      finished_at TEXT,
      error_code TEXT,
      error_message TEXT,
      outputs TEXT NOT NULL DEFAULT '{}'
    )`)
  }

  /** Adds items not yet journaled; existing rows (and their progress) are kept. */
  enqueue(items: Array<{ key: string; from: string; to: string; name?: string }>): void {
    this.#write(() => {
      const now = new Date().toISOString()
      const insert = this.#db.prepare('INSERT OR IGNORE INTO migration_items (key, from_ref, to_ref, name, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      this.#db.transaction(() => {
        for (const item of items) insert.run(item.key, item.from, item.to, item.name ?? null, 'pending', now, now)
      })()
    })
  }

  get(key: string): JournalItem | undefined {
    const row = this.#db.prepare('SELECT * FROM migration_items WHERE key = ?').get(key) as Row | undefined
    return row === undefined ? undefined : toItem(row)
  }

  all(): JournalItem[] {
    return (this.#db.prepare('SELECT * FROM migration_items ORDER BY created_at, rowid').all() as Row[]).map(toItem)
  }

  start(key: string): void {
    this.#write(() => {
      const now = new Date().toISOString()
      this.#db.prepare("UPDATE migration_items SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ?), updated_at = ?, error_code = NULL, error_message = NULL WHERE key = ?").run(now, now, key)
    })
  }

  beginStep(key: string, step: MigrationStepName): void {
    this.#write(() => {
      this.#db.prepare('UPDATE migration_items SET step = ?, updated_at = ? WHERE key = ?').run(step, new Date().toISOString(), key)
    })
  }

  finishStep(key: string, step: MigrationStepName, output: unknown): void {
    this.#write(() => {
      const row = this.get(key)
      const outputs = { ...(row?.outputs ?? {}), [step]: output }
      this.#db.prepare('UPDATE migration_items SET step = ?, outputs = ?, updated_at = ? WHERE key = ?').run(step, JSON.stringify(outputs), new Date().toISOString(), key)
    })
  }

  finish(key: string, state: 'migrated' | 'failed' | 'interrupted', error?: { code: string; message: string }): void {
    this.#write(() => {
      const now = new Date().toISOString()
      this.#db
        .prepare('UPDATE migration_items SET state = ?, updated_at = ?, finished_at = ?, error_code = ?, error_message = ? WHERE key = ?')
        .run(state, now, state === 'interrupted' ? null : now, error?.code ?? null, error?.message ?? null, key)
    })
  }

  close(): void {
    this.#db.close()
  }

  /** Every change is one SQLite transaction: on a full disk it rolls back and the journal still says what it said. */
  #write(change: () => void): void {
    try {
      change()
    } catch (error) {
      if (isDiskFull(error)) throw diskFullError(this.file, { cause: error, what: `the migration journal ${this.file}` })
      throw error
    }
  }
}

function toItem(row: Row): JournalItem {
  return {
    key: row.key,
    from: row.from_ref,
    to: row.to_ref,
    name: row.name,
    state: row.state,
    step: row.step,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    outputs: JSON.parse(row.outputs) as JournalItem['outputs'],
  }
}
