import { DatapubError, isDatapubError, waitUntil, type ContainerEngine } from '@datapub/core/kit'

export interface HealthOptions {
  url: string
  timeoutMs: number
  signal: AbortSignal
  intervalMs?: number
}

/**
 * Polls the container's HTTP endpoint until it answers 200, and fails fast when the container
 * exits, with the tail of its log: the user's reason is nearly always in there.
 */
export async function waitUntilHealthy(engine: ContainerEngine, containerId: string, options: HealthOptions): Promise<void> {
  const probe = new URL('-/versions.json', options.url).href
  try {
    await waitUntil({
      timeoutMs: options.timeoutMs,
      minDelayMs: options.intervalMs ?? 250,
      maxDelayMs: Math.max(options.intervalMs ?? 250, 1000),
      signal: options.signal,
      check: async ({ signal }) => {
        const info = await engine.inspectContainer(containerId)
        if (info.restartCount > 0 || (!info.running && info.state !== 'created')) {
          throw await unhealthy(engine, containerId, `the container stopped (state ${info.state}, exit code ${info.exitCode ?? '?'})`)
        }
        try {
          const response = await fetch(probe, { signal: AbortSignal.any([signal, AbortSignal.timeout(3000)]) })
          await response.body?.cancel()
          return response.ok ? { done: true, value: undefined } : { done: false, reason: `HTTP ${response.status}` }
        } catch (error) {
          return { done: false, reason: (error as Error).message }
        }
      },
    })
  } catch (error) {
    if (!isDatapubError(error) || error.code !== 'WAIT_TIMEOUT') throw error
    throw await unhealthy(engine, containerId, `it did not answer ${probe} within ${Math.round(options.timeoutMs / 1000)} s (last: ${String(error.details?.lastReason ?? 'no answer')})`)
  }
}

async function unhealthy(engine: ContainerEngine, id: string, why: string): Promise<DatapubError> {
  const logs = await engine.containerLogs(id, 30).catch(() => '(no logs)')
  return new DatapubError('LOCAL_CONTAINER_UNHEALTHY', `The new container is not healthy: ${why}.\n--- container log (last lines) ---\n${logs.trimEnd()}`, {
    fault: 'user',
    provider: 'local',
    hint: 'The previous deployment, if any, keeps serving. Fix the cause shown in the log and publish again.',
    details: { logTail: logs.split('\n').slice(-30) },
  })
}
