import { setTimeout as sleep } from 'node:timers/promises'
import type { HttpClientFactory } from '@datapub/core/kit'
import { isConflict, isNotFound, mapGoogleError } from './cloudrun-error.js'

export const ARTIFACT_API = 'https://artifactregistry.googleapis.com'

export interface RepositoryRef {
  project: string
  location: string
  repository: string
}

/** `us` → `us-docker.pkg.dev`; a value already ending in -docker.pkg.dev is the host itself (as datasette does). */
export function artifactLocation(region: string): { location: string; host: string } {
  if (region.endsWith('-docker.pkg.dev')) return { location: region.slice(0, -'-docker.pkg.dev'.length), host: region }
  return { location: region, host: `${region}-docker.pkg.dev` }
}

interface Operation {
  name: string
  done?: boolean
  error?: { code?: number; message?: string; status?: string }
}

/**
 * Makes sure the Docker repository exists: GET it, create it on 404 and wait for the create
 * operation. A 409 from the create means a concurrent publish made it first, which is fine.
 */
export async function ensureRepository(http: HttpClientFactory, token: string, ref: RepositoryRef, options: { apiUrl?: string; signal?: AbortSignal; pollMs?: number } = {}): Promise<'exists' | 'created'> {
  const client = http({ baseURL: options.apiUrl ?? ARTIFACT_API, token, provider: 'cloudrun', ...(options.signal === undefined ? {} : { signal: options.signal }) })
  const parent = `projects/${encodeURIComponent(ref.project)}/locations/${encodeURIComponent(ref.location)}`
  try {
    await client.get(`/v1/${parent}/repositories/${encodeURIComponent(ref.repository)}`)
    return 'exists'
  } catch (error) {
    if (!isNotFound(error)) throw mapGoogleError(error, `Reading Artifact Registry repository ${ref.repository}`, 'Artifact Registry API')
  }
  let operation: Operation
  try {
    const response = await client.post<Operation>(
      `/v1/${parent}/repositories`,
      { format: 'DOCKER', description: 'Datasette Cloud Run images' },
      // A resent create answers 409, which we treat as success, so resending is safe.
      { params: { repositoryId: ref.repository }, idempotent: true } as never,
    )
    operation = response.data
  } catch (error) {
    if (isConflict(error)) return 'exists'
    throw mapGoogleError(error, `Creating Artifact Registry repository ${ref.repository}`, 'Artifact Registry API')
  }
  let delay = options.pollMs ?? 250
  while (operation.done !== true) {
    await sleep(delay, undefined, options.signal === undefined ? undefined : { signal: options.signal })
    delay = Math.min(delay * 1.5, 5000)
    try {
      operation = (await client.get<Operation>(`/v1/${operation.name}`)).data
    } catch (error) {
      throw mapGoogleError(error, `Waiting for Artifact Registry repository ${ref.repository}`, 'Artifact Registry API')
    }
  }
  if (operation.error !== undefined) {
    if (operation.error.code === 6) return 'exists'
    throw mapGoogleError(operation.error, `Creating Artifact Registry repository ${ref.repository}`, 'Artifact Registry API')
  }
  return 'created'
}
