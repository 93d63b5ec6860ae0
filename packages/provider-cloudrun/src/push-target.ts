import { contentTag, registryLocation, type PushTarget } from '@datapub/core/kit'
import { artifactLocation, ensureRepository } from './artifact-registry.js'
import { artifactRegistryCredentials } from './artifact-registry-credentials.js'
import type { CloudrunRuntime } from './cloudrun-runtime.js'

/**
 * Where the pipeline pushes: `{region}-docker.pkg.dev/{project}/{repo}/datasette-{service}`, one
 * image name per service and a tag derived from the build context, so two services deployed at
 * the same time never overwrite each other's image (datasette #2036).
 */
export async function pushTarget(rt: CloudrunRuntime, input: { name: string; contextHash: string }, signal: AbortSignal): Promise<PushTarget> {
  const service = rt.options.service ?? input.name
  const project = rt.options.artifactProject ?? rt.project
  const repository = `${project}/${rt.options.artifactRepository}/datasette-${service}`
  const tags = [contentTag(input.contextHash)]
  if (rt.options.registryUrl !== undefined) {
    const { host, insecure } = registryLocation(rt.options.registryUrl)
    // Not Artifact Registry: the Google token must not travel to another host; Docker config.json credentials apply.
    return { registry: host, repository, tags, manifestFormat: 'oci', ...(insecure ? { insecure: true } : {}) }
  }
  const { location, host } = artifactLocation(rt.options.artifactRegion)
  const token = await rt.session.accessToken()
  const outcome = await ensureRepository(rt.http, token, { project, location, repository: rt.options.artifactRepository }, { ...(rt.options.artifactApiUrl === undefined ? {} : { apiUrl: rt.options.artifactApiUrl }), signal })
  if (outcome === 'created') rt.emit({ type: 'deploy:status', state: 'registry', message: `created Artifact Registry repository ${rt.options.artifactRepository} in ${location}` })
  // A resolver, not the token itself: a long push asks again before the hour is up, or when refused.
  return { registry: host, repository, tags, credentials: artifactRegistryCredentials(rt.session, host), manifestFormat: 'oci' }
}
