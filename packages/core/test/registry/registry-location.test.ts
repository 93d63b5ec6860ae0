import { describe, expect, it } from 'vitest'
import { registryLocation } from '../../src/registry/registry-location.js'
import { contentTag } from '../../src/registry/content-tag.js'

describe('registryLocation', () => {
  it('falls back to the host registry', () => {
    expect(registryLocation(undefined, 'registry.heroku.com')).toEqual({ host: 'registry.heroku.com', insecure: false })
  })
  it('reads host[:port] with or without a scheme; an explicit scheme wins over loopback', () => {
    expect(registryLocation('127.0.0.1:5000')).toEqual({ host: '127.0.0.1:5000', insecure: true })
    expect(registryLocation('localhost:5000/')).toEqual({ host: 'localhost:5000', insecure: true })
    expect(registryLocation('http://registry.internal:5000')).toEqual({ host: 'registry.internal:5000', insecure: true })
    expect(registryLocation('https://127.0.0.1:5443')).toEqual({ host: '127.0.0.1:5443', insecure: false })
    expect(registryLocation('registry.example.com')).toEqual({ host: 'registry.example.com', insecure: false })
  })
  it('refuses what is not a registry host instead of dropping parts of it', () => {
    expect(() => registryLocation('ftp://registry.example')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'registryUrl' }))
    expect(() => registryLocation('https://registry.example/team/repo')).toThrow(/not host\[:port\]/)
    expect(() => registryLocation(undefined)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})

describe('contentTag', () => {
  const hash = 'sha256:abcdef0123456789abcdef0123456789abcdef0123456789'
  it('derives a valid tag from the context hash', () => {
    expect(contentTag(hash)).toBe('ctx-abcdef0123456789abcdef0123456789abcdef01')
    expect(contentTag(hash, { prefix: 'datapub-', length: 12 })).toBe('datapub-abcdef012345')
    expect(contentTag('sha256:ab/c:d')).toBe('ctx-ab-c-d')
  })
  it('stays within the 128 characters a tag may have', () => {
    expect(contentTag('f'.repeat(300), { length: 500 })).toHaveLength(128)
  })
})
