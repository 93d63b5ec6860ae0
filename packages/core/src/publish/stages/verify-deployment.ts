import { DatapubError } from '../../errors/datapub-error.js'
import type { DeploymentResult } from '../../contract/publish-event.js'
import { servedDatabases } from '../served-databases.js'

export interface VerifyOptions {
  signal?: AbortSignal
  /** How long the URL may take to start serving the new data. */
  timeoutMs?: number
  intervalMs?: number
  fetch?: typeof fetch
  /** Before each check: which attempt, and how long is left before verify gives up. */
  onAttempt?: (attempt: { attempt: number; remainingMs: number; problem?: string }) => void
}

/**
 * Checks that a deployment serves the data we built: `/-/databases.json` must list every
 * database with the inspect hash we computed. A URL still serving the previous version keeps
 * being polled until the timeout, then fails with the difference.
 */
export async function verifyDeployment(url: string, databases: NonNullable<DeploymentResult['databases']>, options: VerifyOptions = {}): Promise<string[]> {
  const doFetch = options.fetch ?? fetch
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  const endpoint = new URL('-/databases.json', url.endsWith('/') ? url : `${url}/`).href
  let problem = 'no answer yet'
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new DatapubError('ABORTED', 'Verification was cancelled.')
    options.onAttempt?.({ attempt, remainingMs: Math.max(0, deadline - Date.now()), ...(attempt === 1 ? {} : { problem }) })
    try {
      const response = await doFetch(endpoint, { signal: AbortSignal.any([AbortSignal.timeout(10_000), ...(options.signal ? [options.signal] : [])]), headers: { accept: 'application/json' } })
      if (response.ok) {
        const served = servedDatabases(await response.json())
        const byName = new Map(served.map((d) => [d.name, d]))
        const wrong = Object.entries(databases).filter(([name, want]) => byName.get(name)?.hash !== want.hash)
        if (wrong.length === 0) return Object.keys(databases).map((name) => `${name}: hash ${databases[name]?.hash.slice(0, 12)}`)
        problem = wrong.map(([name, want]) => `${name} serves hash ${byName.get(name)?.hash ?? '(missing)'} instead of ${want.hash}`).join('; ')
      } else {
        problem = `${endpoint} answered ${response.status}`
      }
    } catch (error) {
      if (options.signal?.aborted) throw new DatapubError('ABORTED', 'Verification was cancelled.')
      problem = `${endpoint} failed: ${(error as Error).message}`
    }
    if (Date.now() >= deadline) {
      throw new DatapubError('VERIFY_FAILED', `The deployment at ${url} does not serve the new data: ${problem}.`, {
        hint: 'The host may still be rolling out; check `datapub status`, or rerun with a longer --verify-timeout.',
        details: { url, problem },
      })
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000))
  }
}
