import type Database from 'better-sqlite3'
import { quoteIdentifier as q } from './quote-identifier.js'

export interface FtsColumn {
  name: string
  /** SQL expression giving the indexed text (a lookup's value for extracted columns). */
  expression: string
}

/**
 * Builds `{fts}` as an external-content index over `table`: FTS5 when SQLite has it, else FTS4.
 * An existing index is dropped and rebuilt, so appends never leave it stale.
 * Returns the module used.
 */
export function createFts(db: Database.Database, table: string, fts: string, columns: FtsColumn[], joins = ''): 'fts5' | 'fts4' {
  db.exec(`DROP TABLE IF EXISTS ${q(fts)}`)
  const names = columns.map((c) => q(c.name)).join(', ')
  const content = `content='${table.replace(/'/g, "''")}'`
  let module: 'fts5' | 'fts4' = 'fts5'
  try {
    db.exec(`CREATE VIRTUAL TABLE ${q(fts)} USING fts5(${names}, ${content})`)
  } catch {
    module = 'fts4'
    db.exec(`CREATE VIRTUAL TABLE ${q(fts)} USING fts4(${names}, ${content})`)
  }
  const select = columns.map((c) => c.expression).join(', ')
  db.exec(`INSERT INTO ${q(fts)} (rowid, ${names}) SELECT ${q(table)}.rowid, ${select} FROM ${q(table)}${joins}`)
  return module
}
