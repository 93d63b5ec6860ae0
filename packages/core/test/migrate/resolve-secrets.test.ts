import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { redactText } from '../../src/http/redact.js'
import { readSecretsFile, resolveSecrets } from '../../src/migrate/index.js'

describe('resolveSecrets', () => {
  it('takes values, then the file, then DATAPUB_SECRET_<NAME>, then <NAME>; PORT is the host\'s', () => {
    const env = { DATAPUB_SECRET_A: 'from-prefixed', A: 'plain-a', B: 'plain-b', C: 'plain-c' }
    expect(resolveSecrets(['A', 'B', 'C', 'D', 'PORT'], { env, file: { B: 'from-file' }, values: { D: 'explicit' } })).toEqual({ A: 'from-prefixed', B: 'from-file', C: 'plain-c', D: 'explicit' })
  })

  it('names every missing variable at once, with a coded error', () => {
    let error: Record<string, unknown> | undefined
    try {
      resolveSecrets(['DATASETTE_SECRET', 'GITHUB_TOKEN', 'OK'], { env: { OK: 'yes' } })
    } catch (e) {
      error = e as Record<string, unknown>
    }
    expect(error).toMatchObject({ code: 'MIGRATE_SECRET_MISSING', fault: 'user', path: 'secrets.DATASETTE_SECRET', details: { missing: ['DATASETTE_SECRET', 'GITHUB_TOKEN'] } })
    expect(String(error?.hint)).toContain('DATAPUB_SECRET_GITHUB_TOKEN')
  })

  it('registers what it finds, so it is redacted everywhere', () => {
    resolveSecrets(['S'], { env: { S: 'sentinel-resolved-value-77' } })
    expect(redactText('value sentinel-resolved-value-77 here')).not.toContain('sentinel-resolved-value-77')
  })
})

describe('readSecretsFile', () => {
  it('reads JSON and dotenv', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'secrets-'))
    const json = path.join(dir, 's.json')
    await writeFile(json, JSON.stringify({ DATASETTE_SECRET: 'json-value-1' }))
    expect(await readSecretsFile(json)).toEqual({ DATASETTE_SECRET: 'json-value-1' })
    const dotenv = path.join(dir, '.env')
    await writeFile(dotenv, '# comment\nexport A="quoted value"\nB=x=y\n\n')
    expect(await readSecretsFile(dotenv)).toEqual({ A: 'quoted value', B: 'x=y' })
    await writeFile(dotenv, 'not a pair\n')
    await expect(readSecretsFile(dotenv)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('line 1') })
  })
})
