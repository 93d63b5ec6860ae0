import type { Readable } from 'node:stream'
import { DatapubError, isDatapubError, waitUntil, type Emit, type KitHttpClient } from '@datapub/core/kit'
import { apiErrorOf } from '../shared/api-error-of.js'
import { imageTooLarge, parseNowEvent } from './parse-now-event.js'
import { readLines } from './read-lines.js'

export const NOW_IMAGE_LIMIT_BYTES = 100 * 1024 * 1024

export interface WaitOptions {
  emit: Emit
  signal: AbortSignal
  pollIntervalMs: number
  timeoutMs: number
}

/**
 * Follows the v1 events stream, echoing build output as `image:build:log`, until the
 * deployment is READY or ERROR. When the stream ends early or is unavailable, polls the state.
 */
export async function waitForNow(http: KitHttpClient, id: string, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  const tail: string[] = []
  let tooLarge: ReturnType<typeof imageTooLarge>
  let final: string | undefined
  try {
    const response = await http.request<Readable>({
      method: 'GET',
      path: `/v2/now/deployments/${encodeURIComponent(id)}/events`,
      query: { direction: 'forward', follow: 1, format: 'lines' },
      responseType: 'stream',
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    })
    try {
      for await (const text of readLines(response.body)) {
        const event = parseNowEvent(text)
        if (event?.kind === 'log') {
          options.emit({ type: 'image:build:log', line: event.line })
          tail.push(event.line)
          if (tail.length > 30) tail.shift()
          tooLarge ??= imageTooLarge(event.line)
        } else if (event?.kind === 'state') {
          options.emit({ type: 'deploy:status', state: event.value })
          if (event.value === 'READY' || event.value === 'ERROR') {
            final = event.value
            break
          }
        }
      }
    } finally {
      response.body.destroy()
    }
  } catch (error) {
    if (options.signal.aborted || (isDatapubError(error) && error.code === 'ABORTED')) throw error
    const status = apiErrorOf(error)?.status
    if (status === 401 || status === 403) throw error
    // Anything else (an old API without the stream, a dropped connection): the state poll decides.
  }
  final ??= await pollState(http, id, options, deadline)
  if (final === 'ERROR') throw buildFailure(id, tail, tooLarge)
}

async function pollState(http: KitHttpClient, id: string, options: WaitOptions, deadline: number): Promise<string> {
  let last: string | undefined
  return waitUntil({
    timeoutMs: Math.max(0, deadline - Date.now()),
    minDelayMs: options.pollIntervalMs,
    maxDelayMs: Math.max(options.pollIntervalMs, 5000),
    signal: options.signal,
    timeout: { code: 'NOW_DEPLOY_TIMEOUT', message: `Deployment ${id} was not ready`, fault: 'host', provider: 'now', hint: 'Raise --deploy-timeout, or check the deployment in the Now dashboard.' },
    check: async ({ signal }) => {
      const { body } = await http.request<{ state?: string; readyState?: string }>({ method: 'GET', path: `/v3/now/deployments/${encodeURIComponent(id)}`, signal })
      const state = String(body.state ?? body.readyState ?? 'UNKNOWN')
      if (state !== last) options.emit({ type: 'deploy:status', state })
      last = state
      return state === 'READY' || state === 'ERROR' ? { done: true, value: state } : { done: false, reason: `state ${state}` }
    },
  })
}

function buildFailure(id: string, tail: string[], tooLarge: ReturnType<typeof imageTooLarge>): DatapubError {
  const excerpt = tail.slice(-12).join('\n')
  if (tooLarge !== undefined) {
    return new DatapubError('NOW_IMAGE_TOO_LARGE', `Now refused deployment ${id}: the built image (${tooLarge.size}) exceeds the ${tooLarge.limitMiB} MiB limit.`, {
      fault: 'user',
      provider: 'now',
      hint: 'Publish less data, drop --install packages or --spatialite, or use --cloud v1; run with a local engine to see which paths are largest.',
      details: { limitBytes: tooLarge.limitMiB * 1024 * 1024, builtSize: tooLarge.size, log: excerpt },
    })
  }
  return new DatapubError('NOW_BUILD_FAILED', `The Now build of deployment ${id} failed${excerpt === '' ? '.' : `:\n${excerpt}`}`, {
    fault: 'user',
    provider: 'now',
    hint: 'Read the build log above; a failing pip install usually names a bad --install package.',
    details: { log: excerpt },
  })
}
