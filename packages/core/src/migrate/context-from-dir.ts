import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BuildContext } from '../image/build-context.js'
import { deterministicTar, listTree } from '../image/deterministic-tar.js'

/** A build context over a directory of recorded inputs, hashed like the pipeline's own contexts. */
export async function contextFromDir(dir: string): Promise<BuildContext> {
  const { entries } = await listTree(dir)
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of deterministicTar(dir, entries)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  const metadata = await readFile(path.join(dir, 'metadata.json'), 'utf8').catch(() => undefined)
  return {
    dir,
    files: entries.filter((e) => e.type === 'file').map((e) => e.path),
    dockerfile: await readFile(path.join(dir, 'Dockerfile'), 'utf8'),
    ...(metadata === undefined ? {} : { metadata }),
    hash: hash.digest('hex'),
    bytes,
    tar: () => deterministicTar(dir, entries),
  }
}
