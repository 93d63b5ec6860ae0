import { readdir, stat } from 'node:fs/promises'
import { DatapubError } from '../errors/datapub-error.js'

/**
 * A context is written only into a directory that does not exist or is empty, so a mistyped
 * `--generate-dir` can never overwrite or mix with the user's files.
 */
export async function assertEmptyDir(dir: string, field = 'generateDir'): Promise<void> {
  let names: string[]
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new DatapubError('CONFIG_INVALID', `${field}: ${dir} exists and is not a directory`, { path: field, hint: 'Name a new or empty directory.' })
    }
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if (names.length > 0) {
    throw new DatapubError('CONFIG_INVALID', `${field}: ${dir} is not empty (${names.length} entries)`, {
      path: field,
      hint: 'Name a new or empty directory; datapub never writes a build context over existing files.',
    })
  }
}
