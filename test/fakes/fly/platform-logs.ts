import type { FakeApp } from './fake-fly-types.js'
import type { MachineRunner } from './machine-runner.js'
import { ulid } from './ulid.js'

/**
 * Fly's platform API log endpoint as flyctl reads it (fly-go api_logs.go): JSON:API-style
 * `data[].attributes` entries, newest last, filtered by instance and region, with each machine
 * container's own output as the messages. The caller has checked the token.
 */
export async function platformLogs(url: URL, apps: Map<string, FakeApp>, runner: MachineRunner): Promise<[number, unknown]> {
  const [, , , , appName, what] = url.pathname.split('/')
  const app = appName === undefined ? undefined : apps.get(decodeURIComponent(appName))
  if (app === undefined || what !== 'logs') return [404, { errors: [{ detail: 'Could not find App' }] }]
  const instance = url.searchParams.get('instance')
  const region = url.searchParams.get('region')
  const data: unknown[] = []
  for (const m of app.machines.values()) {
    if ((instance && m.id !== instance) || (region && m.region !== region) || m.container === '') continue
    for (const line of (await runner.logs(m.container, 100)).split('\n').filter((l) => l !== '')) {
      data.push({ id: ulid(), attributes: { timestamp: new Date().toISOString(), message: line, level: 'info', instance: m.id, region: m.region, meta: {} } })
    }
  }
  return [200, { data, meta: { next_token: '' } }]
}
