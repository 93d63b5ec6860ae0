import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { isDatapubError, readDescriptor } from '@datapub/core'
import { fuzzParams } from '../../helpers/fuzz/fuzz-params.js'

/**
 * Descriptor files as `datapub import` reads them (readDescriptor): generated valid ones must
 * come back value for value; mutated ones (keys dropped, values swapped for any JSON, unknown
 * keys, hostile paths and names, bytes cut) must either still satisfy every rule the import
 * relies on or be refused with a coded user error. Never another exception.
 */

const dir = mkdtempSync(path.join(os.tmpdir(), 'datapub-fuzz-descriptor-'))
let n = 0
const stats = { cases: 0, accepted: 0, refused: 0, codes: {} as Record<string, number> }
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  console.log(`fuzz descriptor: ${JSON.stringify(stats)}`)
})

const hex64 = fc.stringMatching(/^[a-f0-9]{64}$/)
const safeSegment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,8}$/).filter((s) => s !== '.' && s !== '..')
const relPath = fc.array(safeSegment, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'))
const descriptor = fc.record(
  {
    schema: fc.constant('datapub.deployment/v1'),
    provider: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    id: fc.string({ minLength: 1, maxLength: 12 }),
    name: fc.string({ minLength: 1, maxLength: 12 }),
    url: fc.constantFrom('https://example.test/', 'http://127.0.0.1:8001/'),
    aliases: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 2 }),
    image: fc.record({ ref: fc.string({ minLength: 1, maxLength: 20 }), digest: hex64.map((h) => `sha256:${h}`), bytes: fc.nat() }, { requiredKeys: ['ref'] }),
    sources: fc.array(fc.record({ path: relPath, sha256: hex64, bytes: fc.nat() }), { maxLength: 3 }),
    options: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    envNames: fc.array(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), { maxLength: 3 }),
    resources: fc.record({ memory: fc.string({ maxLength: 5 }), cpu: fc.string({ maxLength: 3 }), minInstances: fc.integer({ min: 0, max: 5 }), maxInstances: fc.integer({ min: 0, max: 5 }) }, { requiredKeys: [] }),
    databases: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.record({ hash: fc.string({ minLength: 1, maxLength: 10 }), size: fc.nat(), tables: fc.dictionary(fc.string({ maxLength: 6 }), fc.record({ count: fc.nat() }), { maxKeys: 2 }) }, { requiredKeys: ['hash', 'tables'] }), { maxKeys: 2 }),
  },
  { requiredKeys: ['schema', 'provider', 'id', 'name', 'options', 'envNames'] },
)

const HOSTILE_PATHS = ['../etc/passwd', '/etc/passwd', 'a/../../b', './a', 'a//b', 'a\\..\\b', 'C:\\x', 'a/\0/b', '', '.', 'a/.', '~/x', '%2e%2e/x']
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), key: fc.constantFrom('schema', 'provider', 'id', 'name', 'options', 'envNames', 'image', 'sources') }),
  fc.record({ kind: fc.constant('replace' as const), key: fc.constantFrom('schema', 'provider', 'id', 'name', 'url', 'options', 'envNames', 'image', 'sources', 'databases', 'resources', 'aliases'), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('unknown' as const), key: fc.constantFrom('extra', '__proto__', 'constructor', 'Schema', 'source'), value: fc.jsonValue({ maxDepth: 1 }) }),
  fc.record({ kind: fc.constant('path' as const), value: fc.constantFrom(...HOSTILE_PATHS) }),
  fc.record({ kind: fc.constant('env' as const), value: fc.constantFrom('A=B', '1X', 'LD PRELOAD', '', 'X\n', '$(id)') }),
  fc.record({ kind: fc.constant('version' as const), value: fc.constantFrom('datapub.deployment/v2', 'datapub.deployment/', 'other/v1', 'datapub.deployment/v1 ') }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
)

function write(text: string): string {
  const file = path.join(dir, `d${n++}.json`)
  writeFileSync(file, text)
  return file
}

async function read(file: string): Promise<{ ok: true; value: unknown } | { ok: false; code: string }> {
  stats.cases++
  try {
    const value = await readDescriptor(file)
    stats.accepted++
    return { ok: true, value }
  } catch (error) {
    if (!isDatapubError(error)) throw error
    expect(error.fault).toBe('user')
    stats.refused++
    stats.codes[error.code] = (stats.codes[error.code] ?? 0) + 1
    return { ok: false, code: error.code }
  } finally {
    rmSync(file, { force: true })
  }
}

describe('fuzzed descriptor files for import (fast-check, fixed seed)', () => {
  it('reads every valid descriptor back value for value', async () => {
    await fc.assert(
      fc.asyncProperty(descriptor, fc.boolean(), async (d, pretty) => {
        const text = JSON.stringify(d, null, pretty ? 2 : undefined)
        const got = await read(write(text))
        expect(got).toEqual({ ok: true, value: JSON.parse(text) })
      }),
      fuzzParams(1000),
    )
  })

  it('refuses a mutated descriptor with a coded error, or accepts only what the import can rely on', async () => {
    await fc.assert(
      fc.asyncProperty(descriptor, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (d, mutations) => {
        const value = JSON.parse(JSON.stringify(d)) as Record<string, unknown>
        let text: string | undefined
        for (const m of mutations) {
          if (m.kind === 'drop') delete value[m.key]
          else if (m.kind === 'replace') value[m.key] = m.value
          else if (m.kind === 'unknown') Object.defineProperty(value, m.key, { value: m.value, enumerable: true, configurable: true, writable: true })
          else if (m.kind === 'path') value.sources = [{ path: m.value, sha256: 'a'.repeat(64), bytes: 1 }]
          else if (m.kind === 'env') value.envNames = [m.value]
          else if (m.kind === 'version') value.schema = m.value
          else text = JSON.stringify(value).slice(0, m.at % (JSON.stringify(value).length + 1))
        }
        const got = await read(write(text ?? JSON.stringify(value)))
        if (!got.ok) {
          expect(['MIGRATE_DESCRIPTOR_INVALID', 'MIGRATE_DESCRIPTOR_VERSION']).toContain(got.code)
          return
        }
        // Accepted: the rules the import depends on hold, and nothing was changed on the way.
        const v = got.value as Record<string, unknown> & { sources?: Array<{ path: string }>; envNames: string[] }
        expect(v.schema).toBe('datapub.deployment/v1')
        expect(JSON.parse(JSON.stringify(v))).toEqual(JSON.parse(text ?? JSON.stringify(value)))
        const root = path.join(dir, 'sources')
        for (const s of v.sources ?? []) {
          const joined = path.resolve(root, s.path)
          expect(joined.startsWith(root + path.sep), `source path ${JSON.stringify(s.path)} stays inside the sources folder`).toBe(true)
          expect(s.path).not.toContain('\0')
        }
        for (const name of v.envNames) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
      }),
      fuzzParams(2000),
    )
    expect(stats.refused).toBeGreaterThan(500)
  })
})
