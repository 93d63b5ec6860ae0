import { describe, expect, it } from 'vitest'
import { parseImageReference } from '../../src/registry/image-reference.js'
import { parseWwwAuthenticate } from '../../src/registry/parse-www-authenticate.js'

describe('parseImageReference', () => {
  it.each([
    ['127.0.0.1:5000/app/web:v1', { registry: '127.0.0.1:5000', repository: 'app/web', tag: 'v1' }],
    ['registry.heroku.com/my-app/web', { registry: 'registry.heroku.com', repository: 'my-app/web' }],
    ['python:3.12-slim', { registry: 'docker.io', repository: 'library/python', tag: '3.12-slim' }],
    ['localhost/x@sha256:' + 'a'.repeat(64), { registry: 'localhost', repository: 'x', digest: 'sha256:' + 'a'.repeat(64) }],
    ['europe-west1-docker.pkg.dev/proj/repo/img:tag', { registry: 'europe-west1-docker.pkg.dev', repository: 'proj/repo/img', tag: 'tag' }],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected)
  })

  it.each(['Upper/Case', 'host/app:bad tag', 'host/app@sha256:zz', 'host/../etc'])('refuses %s', (input) => {
    expect(() => parseImageReference(input)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error)
  })
})

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge with a scope containing commas', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a/b:pull,push',
    })
  })
  it('reads Basic and ignores unknown schemes', () => {
    expect(parseWwwAuthenticate('Basic realm="ecr"')).toEqual({ scheme: 'basic', realm: 'ecr' })
    expect(parseWwwAuthenticate('Negotiate abc')).toBeUndefined()
    expect(parseWwwAuthenticate(undefined)).toBeUndefined()
  })
})
