import { describe, expect, it } from 'vitest'
import { parseMetadata } from '../../src/publish/spec/parse-metadata.js'

describe('metadata nesting', () => {
  it('refuses a deeply nested file with a coded error instead of overflowing the stack later', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`
    expect(() => parseMetadata(deep, 'deep.json')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID', path: 'metadata' }))
    const yaml = `${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`
    expect(() => parseMetadata(yaml, 'deep.yml')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID' }))
  })

  it('accepts ordinary depth (databases > tables > columns > units)', () => {
    const value = { databases: { data: { tables: { birds: { columns: { wingspan: 'cm' }, units: { wingspan: 'cm' } } } } } }
    expect(parseMetadata(JSON.stringify(value), 'm.json')).toEqual(value)
  })
})
