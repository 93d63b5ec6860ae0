import type Database from 'better-sqlite3'
import { quoteIdentifier as q } from './quote-identifier.js'

const CACHE_LIMIT = 100_000

/**
 * One extract-column lookup table `(id INTEGER PRIMARY KEY, value TEXT)`. Ids come from SQLite
 * (a unique index makes the lookup fast and keeps appends consistent); the in-memory cache is
 * bounded so memory stays flat on columns with millions of distinct values.
 */
export class LookupTable {
  private readonly cache = new Map<string, number>()
  private readonly select: Database.Statement<[string], { id: number }>
  private readonly insert: Database.Statement<[string]>

  constructor(
    db: Database.Database,
    readonly table: string,
    readonly valueColumn: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${q(table)} ("id" INTEGER PRIMARY KEY, ${q(valueColumn)} TEXT)`)
    db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(`${table}_${valueColumn}_unique`)} ON ${q(table)} (${q(valueColumn)})`)
    this.select = db.prepare(`SELECT "id" AS id FROM ${q(table)} WHERE ${q(valueColumn)} = ?`)
    this.insert = db.prepare(`INSERT INTO ${q(table)} (${q(valueColumn)}) VALUES (?)`)
  }

  id(value: string): number {
    let id = this.cache.get(value)
    if (id !== undefined) return id
    id = this.select.get(value)?.id ?? Number(this.insert.run(value).lastInsertRowid)
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
    this.cache.set(value, id)
    return id
  }
}
