import { createKitHttpClient, waitUntil, type HttpClientFactory } from '@datapub/core/kit'
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
export async function ensureRepository(http: HttpClientFactory, token: string, ref: RepositoryRef, options: { apiUrl?: string; signal: AbortSignal; pollMs?: number; timeoutMs?: number }): Promise<'exists' | 'created'> {
  const api = createKitHttpClient(http, { baseURL: options.apiUrl ?? ARTIFACT_API, token, provider: 'cloudrun' })
  const signal = options.signal
  const parent = `projects/${encodeURIComponent(ref.project)}/locations/${encodeURIComponent(ref.location)}`
  const what = `Artifact Registry repository ${ref.repository}`
  try {
    await api.request({ method: 'GET', path: `/v1/${parent}/repositories/${encodeURIComponent(ref.repository)}`, signal })
    return 'exists'
  } catch (error) {
    if (!isNotFound(error)) throw mapGoogleError(error, `Reading ${what}`, 'Artifact Registry API')
  }
  let operation: Operation
  try {
    const response = await api.request<Operation>({
      method: 'POST',
      path: `/v1/${parent}/repositories`,
      query: { repositoryId: ref.repository },
      json: { format: 'DOCKER', description: 'Datasette Cloud Run images' },
      // A resent create answers 409, which we treat as success, so resending is safe.
      idempotent: true,
      signal,
    })
    operation = response.body
  } catch (error) {
    if (isConflict(error)) return 'exists'
    throw mapGoogleError(error, `Creating ${what}`, 'Artifact Registry API')
  }
  const finished = operation.done === true ? operation : await waitUntil<Operation>({
    timeoutMs: options.timeoutMs ?? 120_000,
    minDelayMs: options.pollMs ?? 250,
    maxDelayMs: 5000,
    signal,
    timeout: { code: 'CLOUDRUN_API_ERROR', message: `Creating ${what} did not finish`, provider: 'cloudrun', hint: 'Check the repository in the Artifact Registry console and retry.' },
    check: async ({ attempt, signal: pollSignal }) => {
      if (attempt === 1) return { done: false, reason: `operation ${operation.name} running` }
      try {
        const polled = (await api.request<Operation>({ method: 'GET', path: `/v1/${operation.name}`, signal: pollSignal })).body
        return polled.done === true ? { done: true, value: polled } : { done: false, reason: `operation ${polled.name} running` }
      } catch (error) {
        throw mapGoogleError(error, `Waiting for ${what}`, 'Artifact Registry API')
      }
    },
  })
  if (finished.error !== undefined) {
    if (finished.error.code === 6) return 'exists'
    throw mapGoogleError(finished.error, `Creating ${what}`, 'Artifact Registry API')
  }
  return 'created'
}
