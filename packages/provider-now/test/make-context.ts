import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex')

export const CONTEXT_FILES = {
  Dockerfile: 'FROM python:3.11-slim-bookworm\nCOPY app /app\n',
  'app/data.db': 'SQLite format 3\u0000 pretend database bytes',
  'app/inspect-data.json': '{"data":{"hash":"h1","size":40,"file":"data.db","tables":{}}}\n',
  'app/metadata.json': '{\n  "title": "Birds"\n}\n',
} as const

/** A build context as the pipeline writes it: Dockerfile plus app/ holding the payload. */
export async function makeContext(extra: Record<string, string | Buffer> = {}): Promise<{ dir: string; files: string[]; entries: Array<{ file: string; sha: string; size: number; mode: number }> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'provider-now-ctx-'))
  const all: Record<string, string | Buffer> = { ...CONTEXT_FILES, ...extra }
  for (const [file, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await writeFile(path.join(dir, file), text)
  }
  const files = Object.keys(all).sort()
  const entries = []
  for (const file of files) {
    const data = all[file]!
    entries.push({ file, sha: sha1(data), size: Buffer.byteLength(data), mode: (await stat(path.join(dir, file))).mode })
  }
  return { dir, files, entries }
}
