import { access } from 'node:fs/promises'
import type Database from 'better-sqlite3'
import { sqlite } from '../util/sqlite.js'
import { DatapubError } from '../errors/datapub-error.js'
import { isSqliteFile } from './resolve-inputs.js'

/** Throws SQLITE_INVALID unless `file` is a SQLite database whose schema can be read. */
export async function assertSqliteDatabase(file: string): Promise<void> {
  await access(file).catch((cause: unknown) => {
    throw new DatapubError('INPUT_NOT_FOUND', `${file}: no such file`, { path: file, details: { file }, cause })
  })
  const fail = (why: string, cause?: unknown): DatapubError =>
    new DatapubError('SQLITE_INVALID', `${file}: ${why}`, { path: file, details: { file }, hint: 'Pass a SQLite 3 database file, or a CSV/TSV file to convert.', ...(cause === undefined ? {} : { cause }) })
  if (!(await isSqliteFile(file).catch(() => false))) throw fail('not a SQLite database (no SQLite header)')
  let db: Database.Database | undefined
  try {
    db = new (sqlite())(file, { readonly: true, fileMustExist: true })
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (cause) {
    throw fail(`not a readable SQLite database: ${(cause as Error).message}`, cause)
  } finally {
    db?.close()
  }
}
