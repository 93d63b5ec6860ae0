import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Emit } from '../../contract/publish-event.js'
import type { PipelineServices } from './pipeline-services.js'
import type { PublishSpec } from '../../contract/publish-spec.js'

export interface PreparedDatabases {
  databases: Array<{ name: string; file: string }>
  inspect: Record<string, { hash: string; size: number; file: string; tables: Record<string, { count: number }> }>
}

/**
 * The data stage: every CSV/TSV goes into one database named by --database-name; SQLite files pass
 * through under their own stem. Names are made unique so no database hides another.
 */
export async function prepareDatabases(spec: PublishSpec, dir: string, pipeline: PipelineServices, emit: Emit, signal: AbortSignal): Promise<PreparedDatabases> {
  await mkdir(dir, { recursive: true })
  const databases: PreparedDatabases['databases'] = []
  const taken = new Set<string>()
  const unique = (stem: string) => {
    let name = stem
    for (let i = 1; taken.has(name); i++) name = `${stem}-${i}`
    taken.add(name)
    return name
  }
  const tabular = spec.inputs.filter((input) => input.kind !== 'sqlite')
  if (tabular.length > 0) {
    const name = unique(spec.databaseName)
    const file = path.join(dir, `${name}.db`)
    const totalBytes = tabular.reduce((sum, input) => sum + input.bytes, 0)
    const report = await pipeline.csvsToSqlite(
      tabular.map((input) => input.path),
      file,
      { ...(spec.csv ?? {}) },
      {
        signal,
        onTable: (t) => emit({ type: 'data:table', database: name, table: t.table, rows: t.rows, columns: t.columns }),
        onProgress: (p) => emit({ type: 'progress', label: 'data', done: p.bytes, total: totalBytes, unit: 'bytes' }),
      },
    )
    for (const warning of report.warnings) emit({ type: 'warning', code: warning.code, message: warning.message })
    databases.push({ name, file })
  }
  for (const input of spec.inputs.filter((i) => i.kind === 'sqlite')) {
    await pipeline.assertSqliteDatabase(input.path)
    databases.push({ name: unique(path.basename(input.path).replace(/\.[^.]+$/, '')), file: input.path })
  }
  const inspect: PreparedDatabases['inspect'] = {}
  for (const db of databases) inspect[db.name] = await pipeline.inspectDatabase(db.file, db.name)
  return { databases, inspect }
}
