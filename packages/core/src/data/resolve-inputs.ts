import { open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { DatapubError } from '../errors/datapub-error.js'

export interface CsvInput {
  file: string
  /** Table name: the file stem, de-duplicated with -1, -2 ... like csvs-to-sqlite. */
  table: string
}

export interface ResolvedInputs {
  csvs: CsvInput[]
  /** Existing SQLite databases given as inputs; passed through untouched. */
  databases: string[]
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
const CSV_EXTENSIONS = new Set(['.csv', '.tsv'])

/**
 * Expands files and directories (recursively, `*.csv` and `*.tsv`, symlinks not followed, sorted
 * so table names do not depend on the file system's order) into CSV inputs with table names.
 * Stems are compared case-insensitively because SQLite table names are.
 */
export async function resolveInputs(paths: string[]): Promise<ResolvedInputs> {
  const csvs: CsvInput[] = []
  const databases: string[] = []
  const taken = new Set<string>()
  const add = (file: string): void => {
    const stem = path.basename(file, path.extname(file))
    let table = stem
    for (let i = 1; taken.has(table.toLowerCase()); i++) table = `${stem}-${i}`
    taken.add(table.toLowerCase())
    csvs.push({ file, table })
  }
  for (const input of paths) {
    const info = await stat(input).catch(() => undefined)
    if (info === undefined) {
      throw new DatapubError('INPUT_NOT_FOUND', `${input}: no such file or directory`, { path: input, details: { file: input } })
    }
    if (info.isDirectory()) {
      for (const file of await walk(input)) add(file)
    } else if (info.isFile()) {
      if (await isSqliteFile(input)) databases.push(input)
      else add(input)
    } else {
      throw new DatapubError('INPUT_UNSUPPORTED', `${input}: not a regular file or directory`, { path: input, details: { file: input } })
    }
  }
  return { csvs, databases }
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = []
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await walk(full)))
    else if (entry.isFile() && CSV_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) found.push(full)
  }
  return found
}

/** True when the file starts with the SQLite header magic. */
export async function isSqliteFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(16)
    const { bytesRead } = await handle.read(head, 0, 16, 0)
    return bytesRead === 16 && head.equals(SQLITE_MAGIC)
  } finally {
    await handle.close()
  }
}
