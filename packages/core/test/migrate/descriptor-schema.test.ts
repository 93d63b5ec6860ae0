import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { registerSecret } from '../../src/http/redact.js'
import { assertNoSecretValues, parseDescriptor, readDescriptor, writeDescriptor } from '../../src/migrate/index.js'
import type { DeploymentDescriptor } from '../../src/contract/provider-types.js'

const valid: DeploymentDescriptor = {
  schema: 'datapub.deployment/v1',
  provider: 'heroku',
  id: 'birds',
  name: 'birds',
  url: 'https://birds.herokuapp.com/',
  image: { ref: 'registry.heroku.com/birds/web', registry: 'registry.heroku.com', digest: `sha256:${'c'.repeat(64)}` },
  sources: [{ path: 'data/birds.db', sha256: 'a'.repeat(64), bytes: 8192 }],
  options: { region: 'eu' },
  envNames: ['DATASETTE_SECRET'],
  databases: { birds: { hash: 'h1', tables: { birds: { count: 2 } } } },
}

function failure(fn: () => unknown): Record<string, unknown> {
  try {
    fn()
  } catch (error) {
    return error as Record<string, unknown>
  }
  throw new Error('expected a throw')
}

describe('parseDescriptor', () => {
  it('accepts what providers export', () => {
    expect(parseDescriptor(valid)).toEqual(valid)
  })

  it('names the bad field with a coded error', () => {
    const error = failure(() => parseDescriptor({ ...valid, envNames: ['DATASETTE_SECRET=hunter2'] }))
    expect(error).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_INVALID', fault: 'user', path: 'envNames[0]' })
    expect(failure(() => parseDescriptor({ ...valid, image: { ref: 'x', digest: 'md5:1' } }))).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_INVALID', path: 'image.digest' })
    expect(failure(() => parseDescriptor({ ...valid, surprise: 1 }))).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_INVALID' })
    expect(failure(() => parseDescriptor('nope'))).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_INVALID', path: 'descriptor' })
  })

  it('refuses source paths that would escape the directory they are joined to', () => {
    for (const bad of ['../etc/passwd', '/abs', 'a/../../b', 'a\\b', 'a//b']) {
      expect(failure(() => parseDescriptor({ ...valid, sources: [{ path: bad, sha256: 'a'.repeat(64), bytes: 1 }] })), bad).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_INVALID', path: 'sources[0].path' })
    }
  })

  it('tells a newer schema version apart from a broken file', () => {
    expect(failure(() => parseDescriptor({ ...valid, schema: 'datapub.deployment/v2' }))).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_VERSION', path: 'schema' })
  })
})

describe('secret values never reach a descriptor', () => {
  it('refuses a registered secret anywhere, and credential-named options', () => {
    const secret = 'sentinel-descriptor-secret-81f3'
    registerSecret(secret)
    expect(failure(() => assertNoSecretValues({ ...valid, options: { note: secret } }))).toMatchObject({ code: 'MIGRATE_DESCRIPTOR_HAS_SECRET', path: 'options.note' })
    expect(failure(() => assertNoSecretValues({ ...valid, options: { env: [`TOKEN=${secret}`] } }))).toMatchObject({ path: 'options.env[0]' })
    expect(failure(() => assertNoSecretValues({ ...valid, options: { apiKey: 'whatever' } }))).toMatchObject({ path: 'options.apiKey' })
    expect(() => assertNoSecretValues({ ...valid, options: { x: 'a heron-value-only-we-know b' } }, ['heron-value-only-we-know'])).toThrow(/secret value at options.x/)
    expect(() => assertNoSecretValues(valid)).not.toThrow()
  })

  it('writeDescriptor leaves no file behind when it refuses', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'descriptor-'))
    const bad = path.join(dir, 'bad.json')
    await expect(writeDescriptor(bad, { ...valid, options: { extra: 'leaky-value-1234' } }, { secrets: ['leaky-value-1234'] })).rejects.toMatchObject({ code: 'MIGRATE_DESCRIPTOR_HAS_SECRET' })
    await expect(stat(bad)).rejects.toMatchObject({ code: 'ENOENT' })
    const good = path.join(dir, 'good.json')
    await writeDescriptor(good, valid)
    expect(JSON.parse(await readFile(good, 'utf8'))).toEqual(valid)
    expect(await readDescriptor(good)).toEqual(valid)
    await expect(writeDescriptor(good, valid)).rejects.toMatchObject({ code: 'MIGRATE_DESCRIPTOR_EXISTS' })
  })
})
