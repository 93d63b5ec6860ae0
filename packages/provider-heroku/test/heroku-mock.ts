import type { Nock, NockScope } from '../../../test/helpers/http-mock.js'

export const API = 'https://api.heroku.com'
export const SENTINEL_KEY = 'sentinel-heroku-key-5f0c2e7a'
export const ACCEPT_V3 = 'application/vnd.heroku+json; version=3'
export const ACCEPT_DOCKER = 'application/vnd.heroku+json; version=3.docker-releases'
export const DEFAULT_RANGE = 'id ..; max=1000'
export const LATEST_RANGE = 'version ..; max=1, order=desc'
export const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`

export function basic(key = SENTINEL_KEY): string {
  return `Basic ${Buffer.from(`:${key}`).toString('base64')}`
}

/**
 * A scope that insists on what the Platform API client sends: Basic `:key`, the v3 Accept, JSON
 * and a Range on every call. Reads go through heroku-client; writes through core's client, which
 * sends a write once (heroku-client would resend it after a connection error).
 */
export function platform(n: Nock, options: { accept?: string; range?: string; key?: string } = {}): NockScope {
  return n(API, {
    reqheaders: {
      authorization: basic(options.key),
      accept: options.accept ?? ACCEPT_V3,
      'content-type': 'application/json',
      range: options.range ?? DEFAULT_RANGE,
      'user-agent': /^(node-heroku-client|datapub)\//,
    },
  })
}

export function app(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `id-${name}`,
    name,
    web_url: `https://${name}-1a2b3c.herokuapp.com/`,
    stack: { id: 's1', name: 'container' },
    build_stack: { id: 's1', name: 'container' },
    region: { id: 'r1', name: 'us' },
    team: null,
    created_at: '2026-01-02T03:04:05Z',
    ...extra,
  }
}

export function release(version: number, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `rel-${version}`, version, status, current: status === 'succeeded', description: `Deployed web (${'c'.repeat(12)})`, eligible_for_rollback: true, ...extra }
}

export function dyno(state: string, version: number, name = 'web.1'): Record<string, unknown> {
  return { name, type: 'web', state, size: 'Basic', release: { id: `rel-${version}`, version } }
}
