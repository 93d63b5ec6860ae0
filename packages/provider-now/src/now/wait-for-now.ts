import type { Readable } from 'node:stream'
import { DatapubError, type Emit, type HttpClientFactory } from '@datapub/core/kit'
import { apiErrorOf } from '../shared/api-error-of.js'
import { imageTooLarge, parseNowEvent } from './parse-now-event.js'
import { readLines } from './read-lines.js'
import { sleep } from '../shared/sleep.js'

type Http = ReturnType<HttpClientFactory>

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
export async function waitForNow(http: Http, id: string, options: WaitOptions): Promise<void> {
  const deadline = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
  const tail: string[] = []
  let tooLarge: ReturnType<typeof imageTooLarge>
  let final: string | undefined
  try {
    const response = await http.get<Readable>(`/v2/now/deployments/${encodeURIComponent(id)}/events`, {
      params: { direction: 'forward', follow: 1, format: 'lines' },
      responseType: 'stream',
      timeout: 0,
      signal: deadline,
    })
    try {
      for await (const text of readLines(response.data)) {
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
      response.data.destroy()
    }
  } catch (error) {
    if (options.signal.aborted) throw error
    const status = apiErrorOf(error)?.status
    if (status === 401 || status === 403) throw error
    // Anything else (an old API without the stream, a dropped connection): the state poll decides.
  }
  final ??= await pollState(http, id, options, deadline)
  if (final === 'ERROR') throw buildFailure(id, tail, tooLarge)
}

async function pollState(http: Http, id: string, options: WaitOptions, deadline: AbortSignal): Promise<string> {
  let last: string | undefined
  for (;;) {
    if (deadline.aborted && !options.signal.aborted) throw timedOut(id, options.timeoutMs)
    let state: string
    try {
      const { data } = await http.get<{ state?: string; readyState?: string }>(`/v3/now/deployments/${encodeURIComponent(id)}`, { signal: deadline })
      state = String(data.state ?? data.readyState ?? 'UNKNOWN')
    } catch (error) {
      if (deadline.aborted && !options.signal.aborted) throw timedOut(id, options.timeoutMs)
      throw error
    }
    if (state !== last) options.emit({ type: 'deploy:status', state })
    last = state
    if (state === 'READY' || state === 'ERROR') return state
    try {
      await sleep(options.pollIntervalMs, deadline)
    } catch (error) {
      if (options.signal.aborted) throw error
      throw timedOut(id, options.timeoutMs)
    }
  }
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

function timedOut(id: string, timeoutMs: number): DatapubError {
  return new DatapubError('NOW_DEPLOY_TIMEOUT', `Deployment ${id} was not ready after ${Math.round(timeoutMs / 1000)} s.`, {
    fault: 'host',
    provider: 'now',
    hint: 'Raise --deploy-timeout, or check the deployment in the Now dashboard.',
  })
}

