import { contentTag, registryLocation, type PushTarget, type RegistryLocation } from '@datapub/core/kit'

export const HEROKU_REGISTRY = 'registry.heroku.com'

/** `--registry-url` as host[:port]; plain http when it says http:// or names a loopback host. */
export function herokuRegistry(registryUrl: string | undefined): RegistryLocation {
  return registryLocation(registryUrl, HEROKU_REGISTRY)
}

/**
 * Heroku's registry takes `_` and the API key as Basic credentials, and Docker v2 schema 2 only.
 * The tag is content-derived so concurrent publishes never cross; the release names the image by
 * its config digest, so no `latest` tag is needed.
 */
export function herokuPushTarget(app: string, contextHash: string, apiKey: string, registryUrl: string | undefined): PushTarget {
  const location = herokuRegistry(registryUrl)
  return {
    registry: location.host,
    repository: `${app}/web`,
    tags: [contentTag(contextHash, { prefix: 'datapub-', length: 12 })],
    credentials: { username: '_', password: apiKey },
    manifestFormat: 'docker-v2',
    ...(location.insecure ? { insecure: true } : {}),
  }
}
