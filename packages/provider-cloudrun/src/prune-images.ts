import { createKitHttpClient, type HttpClientFactory } from '@datapub/core/kit'
import { ARTIFACT_API, type RepositoryRef } from './artifact-registry.js'
import { mapGoogleError } from './cloudrun-error.js'

interface Version {
  name: string
  createTime?: string
}

/**
 * `--keep-images N`: Cloud Run keeps every revision's image in Artifact Registry, so each publish
 * leaves one more behind. Deletes the versions (by digest) of the service's image package beyond
 * the N newest, never one a revision still names (a rollback target). Returns the deleted digests.
 */
export async function pruneImages(http: HttpClientFactory, token: string, ref: RepositoryRef & { package: string }, keep: number, inUse: ReadonlySet<string>, options: { apiUrl?: string; signal: AbortSignal }): Promise<string[]> {
  const api = createKitHttpClient(http, { baseURL: options.apiUrl ?? ARTIFACT_API, token, provider: 'cloudrun' })
  const packagePath = `/v1/projects/${encodeURIComponent(ref.project)}/locations/${encodeURIComponent(ref.location)}/repositories/${encodeURIComponent(ref.repository)}/packages/${encodeURIComponent(ref.package)}`
  const versions: Version[] = []
  let pageToken: string | undefined
  try {
    do {
      const { body } = await api.request<{ versions?: Version[]; nextPageToken?: string }>({ method: 'GET', path: `${packagePath}/versions`, query: { pageSize: 500, ...(pageToken === undefined ? {} : { pageToken }) }, signal: options.signal })
      versions.push(...(body.versions ?? []))
      pageToken = body.nextPageToken || undefined
    } while (pageToken !== undefined)
  } catch (error) {
    throw mapGoogleError(error, `Listing the images of ${ref.package}`, 'Artifact Registry API')
  }
  const digestOf = (v: Version) => decodeURIComponent(v.name.slice(v.name.lastIndexOf('/') + 1))
  const newestFirst = [...versions].sort((a, b) => String(b.createTime ?? '').localeCompare(String(a.createTime ?? '')))
  const doomed = newestFirst.slice(keep).filter((v) => !inUse.has(digestOf(v)))
  for (const version of doomed) {
    try {
      // force: the version's tags go with it. The deletion is a long-running operation we do not wait for.
      await api.request({ method: 'DELETE', path: `/v1/${version.name.split('/').map(encodeURIComponent).join('/')}`, query: { force: true }, signal: options.signal })
    } catch (error) {
      throw mapGoogleError(error, `Deleting image ${digestOf(version)}`, 'Artifact Registry API')
    }
  }
  return doomed.map(digestOf)
}
