import { describe, expect, it } from 'vitest'
import { createHttpError, DatapubError } from '@datapub/core/kit'
import { checkBundleLimits } from '../src/vercel/check-bundle-limits.js'
import { rateLimitWaitMs } from '../src/shared/rate-limit-wait-ms.js'
import { imageTooLarge, parseNowEvent } from '../src/now/parse-now-event.js'
import { VERCEL_ERAS } from '../src/vercel/vercel-eras.js'
import { now, vercel } from '../src/index.js'

const MiB = 1024 * 1024

describe('declared limits', () => {
  it('now: 100 MiB images and a per-file limit, each with a source', () => {
    expect(now.limits.imageBytes).toEqual({ value: 100 * MiB, source: expect.stringContaining('100MiB') })
    expect(now.accepts).toBe('context')
  })
  it("vercel: today's era by default, 250 MiB unzipped bundle and 100 MiB per file", () => {
    expect(vercel.limits.bundleBytes?.value).toBe(250 * MiB)
    expect(vercel.limits.fileBytes?.value).toBe(100 * MiB)
    expect(vercel.accepts).toBe('bundle')
    expect(vercel.options.parse({}).era).toBe('today')
  })
})

describe('checkBundleLimits', () => {
  const files = [
    { file: 'api/index.py', bytes: 600, compressedBytes: 300 },
    { file: 'big.db', bytes: 4 * MiB, compressedBytes: 3.5 * MiB },
    { file: 'other.db', bytes: 2 * MiB, compressedBytes: 1.5 * MiB },
    { file: 'small.db', bytes: 0.5 * MiB, compressedBytes: 0.25 * MiB },
  ]

  it('passes a bundle under the era limit', () => {
    expect(checkBundleLimits(files, VERCEL_ERAS.today)).toMatchObject({ ok: true, culprits: [], oversizedFiles: [] })
  })

  it('measures the zipped size for Now 2.0 eras and names the fewest largest files that push it over', () => {
    const check = checkBundleLimits(files, VERCEL_ERAS['now2-5mb'])
    expect(check.ok).toBe(false)
    expect(check.totalBytes).toBe(300 + 5.25 * MiB)
    expect(check.culprits).toEqual([{ file: 'big.db', bytes: 3.5 * MiB }])
  })

  it('measures the unzipped size today', () => {
    const check = checkBundleLimits(files, { ...VERCEL_ERAS.today, bundleBytes: 3 * MiB })
    expect(check.culprits.map((c) => c.file)).toEqual(['big.db'])
    const tight = checkBundleLimits(files, { ...VERCEL_ERAS.today, bundleBytes: 1 * MiB })
    expect(tight.culprits.map((c) => c.file)).toEqual(['big.db', 'other.db'])
  })

  it('flags every file over the per-file limit', () => {
    expect(checkBundleLimits(files, { ...VERCEL_ERAS.today, fileBytes: 1 * MiB }).oversizedFiles).toEqual([
      { file: 'big.db', bytes: 4 * MiB },
      { file: 'other.db', bytes: 2 * MiB },
    ])
  })
})

describe('rateLimitWaitMs', () => {
  const limited = (error: Record<string, unknown>, status = 429) => createHttpError({ method: 'POST', url: 'https://api.zeit.co/v4/now/deployments', provider: 'now', status, body: { error } })
  const nowMs = 1_700_000_000_000

  it('waits until error.limit.reset (epoch seconds)', () => {
    expect(rateLimitWaitMs(limited({ code: 'rate_limited', limit: { reset: nowMs / 1000 + 7 } }), nowMs)).toBe(7000)
  })
  it('prefers resetMs when given and never waits a negative time', () => {
    expect(rateLimitWaitMs(limited({ limit: { resetMs: nowMs + 1500, reset: 0 } }), nowMs)).toBe(1500)
    expect(rateLimitWaitMs(limited({ limit: { reset: nowMs / 1000 - 30 } }), nowMs)).toBe(0)
  })
  it('gives up on builds_rate_limited, a 429 naming no reset, or anything not a 429', () => {
    expect(rateLimitWaitMs(limited({ code: 'builds_rate_limited', limit: { reset: nowMs / 1000 + 1 } }), nowMs)).toBeUndefined()
    expect(rateLimitWaitMs(limited({ code: 'rate_limited' }), nowMs)).toBeUndefined()
    expect(rateLimitWaitMs(limited({ limit: { reset: nowMs / 1000 + 1 } }, 500), nowMs)).toBeUndefined()
    expect(rateLimitWaitMs(new DatapubError('NOW_HTTP_429', 'x', { details: { status: 429, body: {} } }), nowMs)).toBeUndefined()
  })
})

describe('the Now v1 events stream', () => {
  it('reads state changes and build output lines', () => {
    expect(parseNowEvent('{"type":"state-change","payload":{"value":"READY"}}')).toEqual({ kind: 'state', value: 'READY' })
    expect(parseNowEvent('{"type":"stdout","payload":{"text":"Step 1/9 : FROM python\\n"}}')).toEqual({ kind: 'log', line: 'Step 1/9 : FROM python' })
    expect(parseNowEvent('{"type":"stderr","text":"warning"}')).toEqual({ kind: 'log', line: 'warning' })
    expect(parseNowEvent('{"type":"instance-start","payload":{}}')).toEqual({ kind: 'other' })
    expect(parseNowEvent('   ')).toBeUndefined()
  })
  it('recognises the image-size failure line', () => {
    expect(imageTooLarge('The built image size (312.4M) exceeds the 100MiB limit')).toEqual({ size: '312.4M', limitMiB: 100 })
    expect(imageTooLarge('Successfully built 0123abcd')).toBeUndefined()
  })
})
