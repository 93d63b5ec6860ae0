import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'

/** A fresh temp dir with helpers to write fixture files and read back a database. */
export function tmpDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'datapub-data-'))
  return {
    dir,
    file(name: string, content: string | Buffer): string {
      const full = path.join(dir, name)
      mkdirSync(path.dirname(full), { recursive: true })
      writeFileSync(full, content)
      return full
    },
    path: (name: string) => path.join(dir, name),
    query<T = Record<string, unknown>>(db: string, sql: string): T[] {
      const conn = new Database(db, { readonly: true })
      try {
        return conn.prepare(sql).all() as T[]
      } finally {
        conn.close()
      }
    },
  }
}
