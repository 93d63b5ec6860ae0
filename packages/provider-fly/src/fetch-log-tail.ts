import { redactText } from '@datapub/core/kit'
import type { FlyApi } from './fly-api.js'
import type { FlyMachine } from './fly-types.js'

interface LogsAnswer {
  data?: Array<{ attributes?: { timestamp?: string; message?: string } }>
}

/**
 * The last lines a failed machine logged, as flyctl shows them when a deploy's machine fails its
 * checks: `GET /api/v1/apps/{app}/logs?instance=&region=` on Fly's platform API (fly-go
 * api_logs.go GetAppLogs; flyctl deploy/machines_deploymachinesapp.go), entries since the
 * machine's last update. Best effort, on a short deadline: the failure it explains stands either
 * way, so an unreadable log gives undefined, never a second error.
 */
export async function fetchLogTail(logs: FlyApi, app: string, machine: FlyMachine, signal: AbortSignal, lines = 30): Promise<string[] | undefined> {
  try {
    const query = { instance: machine.id, ...(machine.region === undefined ? {} : { region: machine.region }) }
    const answer = await logs.request<LogsAnswer>({ method: 'GET', path: `/api/v1/apps/${encodeURIComponent(app)}/logs`, query, timeoutMs: 10_000, signal })
    const since = machine.updated_at ?? ''
    const messages = (answer.body.data ?? [])
      .map((d) => d.attributes)
      .filter((a): a is { timestamp?: string; message: string } => typeof a?.message === 'string' && (a.timestamp ?? '') >= since)
      .map((a) => redactText(a.message.replace(/\s+$/, '')))
    return messages.slice(-lines)
  } catch {
    return undefined
  }
}
