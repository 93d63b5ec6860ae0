import type { PushTarget } from '@datapub/core/kit'

export const HEROKU_REGISTRY = 'registry.heroku.com'
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/

export interface RegistryLocation {
  host: string
  insecure: boolean
}

/** `--registry-url` as host[:port]; plain http when it says http:// or names a loopback host. */
export function registryLocation(registryUrl: string | undefined): RegistryLocation {
  if (registryUrl === undefined) return { host: HEROKU_REGISTRY, insecure: false }
  const scheme = /^(https?):\/\//.exec(registryUrl)?.[1]
  const host = registryUrl.replace(/^https?:\/\//, '').replace(/\/$/, '')
  return { host, insecure: scheme === 'http' || (scheme === undefined && LOOPBACK.test(host)) }
}

/**
 * Heroku's registry takes `_` and the API key as Basic credentials, and Docker v2 schema 2 only.
 * The tag is content-derived so concurrent publishes never cross; the release names the image by
 * its config digest, so no `latest` tag is needed.
 */
export function herokuPushTarget(app: string, contextHash: string, apiKey: string, registryUrl: string | undefined): PushTarget {
  const location = registryLocation(registryUrl)
  return {
    registry: location.host,
    repository: `${app}/web`,
    tags: [`datapub-${contextHash.replace(/^sha256:/, '').slice(0, 12)}`],
    credentials: { username: '_', password: apiKey },
    manifestFormat: 'docker-v2',
    ...(location.insecure ? { insecure: true } : {}),
  }
}
