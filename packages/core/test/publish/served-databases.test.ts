import { describe, expect, it } from 'vitest'
import { servedDatabases } from '../../src/publish/served-databases.js'

describe('servedDatabases', () => {
  const data = { name: 'data', hash: 'a'.repeat(64), is_mutable: false }

  it('reads the bare array Datasette 0.x answers', () => {
    expect(servedDatabases([data])).toEqual([data])
  })

  it('reads the {ok, databases} object the 1.0 alphas answer', () => {
    expect(servedDatabases({ ok: true, databases: [data, { name: '_memory', is_memory: true }] }).map((d) => d.name)).toEqual(['data', '_memory'])
  })

  it('gives an empty list for anything else, so callers report the databases missing', () => {
    for (const body of [null, 'text', 3, { ok: false, error: 'x' }, { databases: 'no' }, [{ hash: 'h' }]]) expect(servedDatabases(body)).toEqual([])
  })
})
