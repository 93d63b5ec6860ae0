import { describe, expect, it } from 'vitest'
import { DatapubError, isDatapubError, toDatapubError, ERROR_CODES } from '../../src/errors/index.js'
import { registerSecret } from '../../src/http/redact.js'

describe('DatapubError', () => {
  it('takes its fault side from the code table unless told otherwise', () => {
    expect(new DatapubError('CONFIG_INVALID', 'x').fault).toBe('user')
    expect(new DatapubError('ENGINE_UNREACHABLE', 'x').fault).toBe('host')
    expect(new DatapubError('INTERNAL', 'x').fault).toBe('internal')
    expect(new DatapubError('HEROKU_SOMETHING', 'x').fault).toBe('host')
    expect(new DatapubError('HEROKU_SOMETHING', 'x', { fault: 'user' }).fault).toBe('user')
  })

  it('serialises code, fault, message, hint and path but not the cause', () => {
    const cause = new Error('inner stack detail')
    const json = JSON.parse(JSON.stringify(new DatapubError('CONFIG_INVALID', 'bad', { hint: 'fix it', path: 'static[0]', cause })))
    expect(json).toEqual({ name: 'DatapubError', code: 'CONFIG_INVALID', fault: 'user', message: 'bad', hint: 'fix it', path: 'static[0]' })
  })

  it('redacts registered secrets from message and hint at construction', () => {
    const sentinel = 'sentinel-token-7f3a9c'
    registerSecret(sentinel)
    const error = new DatapubError('AUTH_INVALID', `token ${sentinel} refused`, { hint: `retry without ${sentinel}` })
    expect(error.message).not.toContain(sentinel)
    expect(error.hint).not.toContain(sentinel)
    expect(JSON.stringify(error)).not.toContain(sentinel)
  })

  it('is recognised by brand, so a second copy of core still matches', () => {
    const foreign = Object.assign(Object.create(Error.prototype), { [Symbol.for('datapub.error')]: true, code: 'X' })
    expect(isDatapubError(foreign)).toBe(true)
    expect(isDatapubError(new Error('plain'))).toBe(false)
    expect(isDatapubError({ code: 'CONFIG_INVALID' })).toBe(false)
  })

  it('turns unknown throws into INTERNAL and aborts into ABORTED', () => {
    expect(toDatapubError(new TypeError('boom'))).toMatchObject({ code: 'INTERNAL', fault: 'internal' })
    const abort = new Error('aborted')
    abort.name = 'AbortError'
    expect(toDatapubError(abort).code).toBe('ABORTED')
    const coded = new DatapubError('CSV_INVALID', 'x')
    expect(toDatapubError(coded)).toBe(coded)
  })

  it('has a fault side for every core code', () => {
    for (const fault of Object.values(ERROR_CODES)) expect(['user', 'host', 'internal']).toContain(fault)
  })
})
