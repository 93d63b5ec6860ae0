import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolvePublishSpec } from '../../src/index.js'

/** Found by the metadata fuzzer (test/unit/reliability/fuzz-recipe.test.ts). */
describe('--metadata file encoding', () => {
  async function specFor(bytes: Buffer) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'datapub-meta-'))
    await writeFile(path.join(dir, 'data.csv'), 'a\n1\n')
    await writeFile(path.join(dir, 'meta.json'), bytes)
    return resolvePublishSpec({ files: ['data.csv'], metadata: 'meta.json' }, { cwd: dir, env: {} })
  }

  it('refuses a Latin-1 file instead of publishing U+FFFD in place of its accents', async () => {
    await expect(specFor(Buffer.from('{"title":"café"}', 'latin1'))).rejects.toMatchObject({ code: 'METADATA_INVALID', message: expect.stringContaining('not UTF-8') })
  })

  it('reads a JSON file that starts with a UTF-8 BOM', async () => {
    const spec = await specFor(Buffer.from('\ufeff{"title":"café"}', 'utf8'))
    expect(spec.metadata).toMatchObject({ title: 'café' })
  })
})
