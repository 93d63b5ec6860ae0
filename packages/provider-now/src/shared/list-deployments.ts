import type { KitHttpClient } from '@datapub/core/kit'
import { mapApiError } from './map-api-error.js'

/** The deployment fields both providers read from the list and get endpoints. */
export interface ListedDeployment {
  uid?: string
  id?: string
  url?: string
  name?: string
  state?: string
  readyState?: string
  target?: string | null
  createdAt?: number
  created?: number | string
  projectId?: string
  alias?: string[]
  meta?: Record<string, unknown>
  type?: string
  env?: unknown
}

/** Enough for any account; a host that keeps answering `next` cannot loop us. */
const MAX_PAGES = 50

/**
 * Every page of GET /v7/deployments (Vercel's SDK, getDeployments): the answer's
 * `pagination.next` is the timestamp to pass as `until` for the page after, null on the last.
 */
export async function listDeployments(http: KitHttpClient, provider: 'now' | 'vercel', query: Record<string, string>, signal: AbortSignal): Promise<ListedDeployment[]> {
  const all: ListedDeployment[] = []
  let until: number | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    let body: { deployments?: ListedDeployment[]; pagination?: { next?: number | null } }
    try {
      body = (await http.request<typeof body>({ method: 'GET', path: '/v7/deployments', query: { ...query, limit: 100, ...(until === undefined ? {} : { until }) }, signal })).body
    } catch (error) {
      throw mapApiError(error, provider, 'Listing deployments')
    }
    all.push(...(body.deployments ?? []))
    const next = body.pagination?.next
    if (typeof next !== 'number' || (body.deployments ?? []).length === 0) break
    until = next
  }
  return all
}
