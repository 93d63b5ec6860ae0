import { describe, expect, it } from 'vitest'
import { isDatapubError } from '@datapub/core/kit'
import { hashFiles, type HashedFile } from '../src/shared/hash-files.js'
import { mapBounded } from '@datapub/core/kit'
import { planUploads } from '../src/shared/plan-uploads.js'
import { MAX_UPLOADS_IN_FLIGHT } from '../src/shared/upload-files.js'
import { makeContext, sha1 } from './make-context.js'

const file = (name: string, sha: string, size = 1): HashedFile => ({ file: name, sha, size, mode: 0o100644, absolute: `/x/${name}` })

describe('hashFiles', () => {
  it('gives the SHA-1, size and mode of every file, sorted, with / separators', async () => {
    const ctx = await makeContext({ 'app/templates/index.html': 'hello\n' })
    const hashed = await hashFiles(ctx.dir, [...ctx.files].reverse())
    expect(hashed.map(({ file: f, sha, size, mode }) => ({ file: f, sha, size, mode }))).toEqual(ctx.entries)
    expect(hashed.find((h) => h.file === 'app/templates/index.html')?.sha).toBe('f572d396fae9206628714fb2ce00f72e94f2258f')
  })
})

describe('planUploads', () => {
  it('sends one file per missing sha, in the order the API listed them, skipping what is not missing', () => {
    const files = [file('a.db', 'aaa'), file('copy-of-a.db', 'aaa'), file('b.json', 'bbb'), file('c.txt', 'ccc')]
    expect(planUploads(files, ['ccc', 'aaa', 'ccc'], 'now').map((f) => f.file)).toEqual(['c.txt', 'a.db'])
  })

  it('refuses a sha it never offered, as a coded host error', () => {
    let error: unknown
    try {
      planUploads([file('a.db', 'aaa')], [sha1('other')], 'vercel')
    } catch (e) {
      error = e
    }
    expect(isDatapubError(error) && error.code).toBe('VERCEL_UPLOAD_PROTOCOL')
  })
})

describe('mapBounded', () => {
  it('never has more than the bound in flight and finishes every item in order', async () => {
    expect(MAX_UPLOADS_IN_FLIGHT).toBe(50)
    const items = Array.from({ length: 120 }, (_, i) => i)
    const pending: Array<() => void> = []
    let inFlight = 0
    let peak = 0
    const run = mapBounded(items, MAX_UPLOADS_IN_FLIGHT, (i) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      return new Promise<number>((resolve) => pending.push(() => (inFlight--, resolve(i * 2))))
    })
    const flush = () => new Promise((r) => setImmediate(r))
    await flush()
    expect(inFlight).toBe(50)
    let started = 50
    while (pending.length > 0) {
      pending.shift()!()
      await flush()
      started = Math.min(120, started + 1)
      expect(inFlight).toBeLessThanOrEqual(50)
    }
    expect(await run).toEqual(items.map((i) => i * 2))
    expect(peak).toBe(50)
  })

  it('stops starting tasks after a failure and rethrows it', async () => {
    const seen: number[] = []
    const error = await mapBounded([1, 2, 3, 4, 5], 2, async (i) => {
      seen.push(i)
      if (i === 2) throw new Error('boom')
      return i
    }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('boom')
    expect(seen.length).toBeLessThan(5)
  })
})
