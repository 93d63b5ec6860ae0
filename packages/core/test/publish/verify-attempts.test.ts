import { describe, expect, it } from 'vitest'
import { verifyDeployment } from '../../src/publish/stages/verify-deployment.js'

describe('verifyDeployment progress', () => {
  it('reports each attempt with the time left and what the previous one saw', async () => {
    const answers = [[{ name: 'data', hash: 'old' }], [{ name: 'data', hash: 'new' }]]
    const fakeFetch = (async () => new Response(JSON.stringify(answers.shift()), { status: 200 })) as typeof fetch
    const attempts: Array<{ attempt: number; remainingMs: number; problem?: string }> = []
    const checked = await verifyDeployment('http://127.0.0.1:1/', { data: { hash: 'new', tables: {} } }, { fetch: fakeFetch, intervalMs: 5, timeoutMs: 30_000, onAttempt: (a) => attempts.push(a) })
    expect(checked).toEqual(['data: hash new'])
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2])
    expect(attempts[0]?.problem).toBeUndefined()
    expect(attempts[1]?.problem).toBe('data serves hash old instead of new')
    expect(attempts[0]!.remainingMs).toBeGreaterThan(29_000)
    expect(attempts[1]!.remainingMs).toBeLessThanOrEqual(attempts[0]!.remainingMs)
  })
})
