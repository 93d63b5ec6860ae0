import { DatapubError, waitUntil, type Emit, type KitHttpClient } from '@datapub/core/kit'
import type { BundleFile } from './check-bundle-limits.js'
import { mapApiError } from '../shared/map-api-error.js'

export interface VercelDeployment {
  id?: string
  uid?: string
  url?: string
  name?: string
  readyState?: string
  state?: string
  target?: string | null
  alias?: string[]
  aliasAssigned?: boolean | number | null
  aliasError?: { code?: string; message?: string } | null
  errorCode?: string
  errorMessage?: string
  projectId?: string
  createdAt?: number
  created?: number
  meta?: Record<string, unknown>
}

export interface VercelWaitOptions {
  emit: Emit
  signal: AbortSignal
  pollIntervalMs: number
  timeoutMs: number
  production: boolean
  /** For attributing a size failure the host found after all. */
  files: readonly BundleFile[]
}

const SIZE_FAILURE = /exceeds the (maximum size limit|configured limit)|too large|size_limit/i

/** Polls `GET /v13/deployments/:id` (the CLI's 1.5 s) until READY, and for production until the alias is assigned. */
export async function waitForVercel(http: KitHttpClient, id: string, options: VercelWaitOptions): Promise<VercelDeployment> {
  let last: string | undefined
  return waitUntil({
    timeoutMs: options.timeoutMs,
    minDelayMs: options.pollIntervalMs,
    maxDelayMs: Math.max(options.pollIntervalMs, 5000),
    signal: options.signal,
    timeout: { code: 'VERCEL_DEPLOY_TIMEOUT', message: `Deployment ${id} was not ready`, fault: 'host', provider: 'vercel', hint: 'Raise --deploy-timeout, or check the deployment in the Vercel dashboard.' },
    check: async ({ signal }) => {
      let d: VercelDeployment
      try {
        d = (await http.request<VercelDeployment>({ method: 'GET', path: `/v13/deployments/${encodeURIComponent(id)}`, signal })).body
      } catch (error) {
        throw mapApiError(error, 'vercel', `Deployment ${id}`)
      }
      const state = d.readyState ?? d.state ?? 'UNKNOWN'
      if (state !== last) options.emit({ type: 'deploy:status', state })
      last = state
      if (state === 'ERROR' || state.endsWith('_ERROR') || state === 'CANCELED') throw await buildFailure(http, id, d, options)
      if (d.aliasError) {
        throw new DatapubError('VERCEL_ALIAS_FAILED', `Vercel built ${id} but could not assign its alias (${d.aliasError.code ?? 'error'})${d.aliasError.message ? `: ${d.aliasError.message}` : ''}.`, {
          fault: 'user',
          provider: 'vercel',
          hint: 'Check the project domains in the Vercel dashboard.',
        })
      }
      if (state === 'READY' && (!options.production || Boolean(d.aliasAssigned))) return { done: true, value: d }
      return { done: false, reason: state === 'READY' ? 'state READY, alias not assigned yet' : `state ${state}` }
    },
  })
}

async function buildFailure(http: KitHttpClient, id: string, d: VercelDeployment, options: VercelWaitOptions): Promise<DatapubError> {
  const lines = await buildLog(http, id, options.signal)
  const excerpt = lines.slice(-12).join('\n')
  const reason = [d.errorCode, d.errorMessage].filter(Boolean).join(': ')
  if (SIZE_FAILURE.test(`${d.errorMessage ?? ''}\n${excerpt}`)) {
    const largest = [...options.files].sort((a, b) => b.bytes - a.bytes).slice(0, 5)
    return new DatapubError('VERCEL_BUNDLE_TOO_LARGE', `Vercel refused deployment ${id}: the function is too large${reason ? ` (${reason})` : ''}.`, {
      fault: 'user',
      provider: 'vercel',
      hint: `The largest files are ${largest.map((f) => `${f.file} (${f.bytes} bytes)`).join(', ')}; installed packages count too. Publish less data or drop --install packages.`,
      details: { log: excerpt, largest },
    })
  }
  return new DatapubError('VERCEL_BUILD_FAILED', `The Vercel build of ${id} failed${reason ? ` (${reason})` : ''}${excerpt ? `:\n${excerpt}` : '.'}`, {
    fault: 'user',
    provider: 'vercel',
    hint: 'Read the build log excerpt; a failing pip install usually names a bad --install package or an unsupported Python version.',
    details: { log: excerpt, ...(d.errorCode === undefined ? {} : { errorCode: d.errorCode }) },
  })
}

/** The end of the build output, best effort: a failure to fetch it must not hide the build error. */
async function buildLog(http: KitHttpClient, id: string, signal: AbortSignal): Promise<string[]> {
  try {
    const { body: data } = await http.request<Array<{ type?: string; text?: string; payload?: { text?: string } }>>({
      method: 'GET',
      path: `/v3/deployments/${encodeURIComponent(id)}/events`,
      query: { builds: 1, direction: 'backward', limit: 30 },
      signal,
    })
    if (!Array.isArray(data)) return []
    return data
      .filter((e) => e.type === 'stdout' || e.type === 'stderr' || e.type === 'command')
      .map((e) => (e.payload?.text ?? e.text ?? '').replace(/\s+$/, ''))
      .filter((line) => line !== '')
      .reverse()
  } catch {
    return []
  }
}
