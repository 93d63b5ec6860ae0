import { describe, expect, it } from 'vitest'
import { parseDescriptor } from '../../src/migrate/descriptor-schema.js'

/** Found by the descriptor fuzzer (test/unit/reliability/fuzz-descriptor.test.ts). */
describe('descriptor validation, cases the fuzzer found', () => {
  const base = { schema: 'datapub.deployment/v1', provider: 'local', id: 'x', name: 'x', options: {}, envNames: [] }

  it('refuses an unknown nested key instead of dropping it (a typo must not lose a setting)', () => {
    expect(() => parseDescriptor({ ...base, resources: { memmory: '1Gi' } })).toThrow(expect.objectContaining({ code: 'MIGRATE_DESCRIPTOR_INVALID', path: 'resources' }))
    expect(() => parseDescriptor({ ...base, image: { ref: 'r', digets: 'sha256:x' } })).toThrow(expect.objectContaining({ code: 'MIGRATE_DESCRIPTOR_INVALID', path: 'image' }))
  })

  it('refuses a NUL or other control character in a source path (fs would throw an uncoded error later)', () => {
    for (const p of ['a/\u0000/b', 'data\n.csv']) {
      expect(() => parseDescriptor({ ...base, sources: [{ path: p, sha256: 'a'.repeat(64), bytes: 1 }] })).toThrow(expect.objectContaining({ code: 'MIGRATE_DESCRIPTOR_INVALID' }))
    }
  })

  it('keeps keys Datasette may add to inspect entries', () => {
    const databases = { d: { hash: 'h', tables: { t: { count: 1, extra: true } }, future: 1 } }
    expect(parseDescriptor({ ...base, databases }).databases).toEqual(databases)
  })
})
