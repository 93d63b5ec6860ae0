import { describe, expect, it } from 'vitest'
import { redactText, redactValue, registerSecret, REDACTED } from '../../src/http/redact.js'

describe('redaction', () => {
  it('masks registered secrets, their base64 and URL encodings', () => {
    const secret = 'p@ss/word+42'
    registerSecret(secret)
    const text = `a ${secret} b ${Buffer.from(secret).toString('base64')} c ${encodeURIComponent(secret)}`
    expect(redactText(text)).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED}`)
  })

  it('masks credentials it never saw registered', () => {
    expect(redactText('Authorization: Bearer abcdefghijklmnop')).not.toContain('abcdefghijklmnop')
    expect(redactText('GET https://user:hunter22@registry.example/v2/')).not.toContain('hunter22')
    expect(redactText('https://api.example/x?access_token=tok123&b=2')).toBe(`https://api.example/x?access_token=${REDACTED}&b=2`)
    expect(redactText('{"password":"swordfish"}')).not.toContain('swordfish')
  })

  it('ignores values too short to be secrets', () => {
    registerSecret('ab')
    expect(redactText('a cab')).toBe('a cab')
  })

  it('deep-redacts secret-looking keys and nested strings', () => {
    const out = redactValue({ headers: { Authorization: 'Basic Zm9vOmJhcg==', accept: 'json' }, list: ['token=1'], token: 'abc' })
    expect(out).toEqual({ headers: { Authorization: REDACTED, accept: 'json' }, list: ['token=1'], token: REDACTED })
  })
})
