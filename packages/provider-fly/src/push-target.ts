import { contentTag, registryLocation, type PushTarget } from '@datapub/core/kit'
import { registryPassword } from './fly-api.js'

export const FLY_REGISTRY = 'registry.fly.io'

/**
 * `registry.fly.io/<app>:<content tag>`, logged in as flyctl does: username `x`, the token as
 * password (flyctl internal/build/imgsrc/docker.go registryAuth). Another registry (a mirror, a
 * test registry) never receives the Fly token: Docker config.json credentials apply there.
 */
export function flyPushTarget(app: string, contextHash: string, token: string, registryUrl: string | undefined): PushTarget {
  const location = registryLocation(registryUrl, FLY_REGISTRY)
  const own = registryUrl === undefined
  return {
    registry: location.host,
    repository: app,
    tags: [contentTag(contextHash)],
    ...(own ? { credentials: { username: 'x', password: registryPassword(token) } } : {}),
    manifestFormat: 'docker-v2',
    ...(location.insecure ? { insecure: true } : {}),
  }
}
