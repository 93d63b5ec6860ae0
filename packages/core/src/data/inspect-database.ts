import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { sqlite } from '../util/sqlite.js'
import { assertSqliteDatabase } from './assert-sqlite-database.js'
import { quoteIdentifier as q } from './quote-identifier.js'

/** One database's entry in `inspect-data.json`, as `datasette inspect` writes it. */
export interface InspectEntry {
  hash: string
  size: number
  file: string
  tables: Record<string, { count: number }>
}

/** Computes what `datasette inspect` would, in-process: sha256 of the bytes, size, row counts of every table. */
export async function inspectDatabase(dbPath: string, name?: string): Promise<InspectEntry> {
  await assertSqliteDatabase(dbPath)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(dbPath)) hash.update(chunk as Buffer)
  const { size } = await stat(dbPath)
  const db = new (sqlite())(dbPath, { readonly: true, fileMustExist: true })
  const tables: Record<string, { count: number }> = {}
  try {
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]
    for (const table of names) {
      try {
        tables[table] = { count: db.prepare(`SELECT count(*) FROM ${q(table)}`).pluck().get() as number }
      } catch {
        // Virtual tables of modules this SQLite lacks cannot be counted; datasette skips them too.
      }
    }
  } finally {
    db.close()
  }
  void name
  return { hash: hash.digest('hex'), size, file: path.basename(dbPath), tables }
}
