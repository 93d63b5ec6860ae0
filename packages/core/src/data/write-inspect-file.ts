import { rename, writeFile } from 'node:fs/promises'
import type { InspectEntry } from './inspect-database.js'

/** Writes `inspect-data.json` (keyed by database name) atomically: temp file, then rename. */
export async function writeInspectFile(entries: Record<string, InspectEntry>, file: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(entries, null, 2)}\n`)
  await rename(temp, file)
}
