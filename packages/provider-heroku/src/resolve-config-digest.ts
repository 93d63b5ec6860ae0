import { createKitHttpClient, DatapubError, type HttpClientFactory, type ImageArtifact } from '@datapub/core/kit'

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json'

/**
 * Heroku releases an image by its config digest (the image ID), not the manifest digest. The
 * push stage hands it over; if it did not, read it from the manifest as the Heroku CLI does.
 */
export async function resolveConfigDigest(artifact: ImageArtifact, http: HttpClientFactory, apiKey: string, insecure: boolean, signal: AbortSignal): Promise<string> {
  if (artifact.configDigest !== undefined) return artifact.configDigest
  const match = /^([^/]+)\/(.+?)(?:@(sha256:[a-f0-9]{64})|:([\w][\w.-]{0,127}))?$/.exec(artifact.ref)
  if (match === null) {
    throw new DatapubError('HEROKU_IMAGE_ID_MISSING', `Cannot release ${artifact.ref}: it is not a registry reference and carries no config digest.`, {
      fault: 'internal',
      provider: 'heroku',
      hint: 'The push stage must hand Heroku a pushed image (registry/repo@digest).',
    })
  }
  const [, registry, repository, digest, tag] = match
  const client = createKitHttpClient(http, { baseURL: `${insecure ? 'http' : 'https'}://${registry}`, auth: { scheme: 'basic', username: '_', password: apiKey }, provider: 'heroku' })
  const response = await client.request<{ config?: { digest?: string } }>({ method: 'GET', path: `/v2/${repository}/manifests/${digest ?? tag ?? 'latest'}`, headers: { accept: MANIFEST_V2 }, signal })
  const config = response.body.config?.digest
  if (config === undefined) {
    throw new DatapubError('HEROKU_MANIFEST_UNSUPPORTED', `The manifest of ${artifact.ref} has no config digest; Heroku needs a Docker v2 schema 2 image.`, {
      fault: 'internal',
      provider: 'heroku',
      hint: 'Push a single-platform Docker v2 schema 2 manifest (no OCI index).',
    })
  }
  return config
}
