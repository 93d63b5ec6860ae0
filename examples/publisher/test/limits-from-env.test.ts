import { describe, expect, it } from 'vitest'
import { limitsFromEnv } from '../src/limits-from-env.js'

describe('limitsFromEnv', () => {
  it('reads the operator\'s limits and leaves unset ones to the defaults', () => {
    expect(limitsFromEnv({ PUBLISHER_MAX_RUNNING: '2', PUBLISHER_MAX_QUEUED: '0' })).toEqual({ maxRunningJobs: 2, maxQueuedJobs: 0 })
    expect(limitsFromEnv({ PUBLISHER_MAX_RUNNING: ' 8 ' })).toEqual({ maxRunningJobs: 8 })
    expect(limitsFromEnv({ PUBLISHER_MAX_QUEUED: '' })).toEqual({})
    expect(limitsFromEnv({})).toEqual({})
  })

  it.each([
    ['PUBLISHER_MAX_RUNNING', '0'],
    ['PUBLISHER_MAX_RUNNING', '2.5'],
    ['PUBLISHER_MAX_RUNNING', 'four'],
    ['PUBLISHER_MAX_QUEUED', '-1'],
    ['PUBLISHER_MAX_QUEUED', '1e3'],
  ])('refuses %s=%s with a coded error naming the variable, instead of rounding or ignoring it', (name, value) => {
    expect(() => limitsFromEnv({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }))
  })
})
