import type { Emit } from '@datapub/core/kit'
import { app, type FlyApi } from './fly-api.js'
import type { FlyIpAssignment } from './fly-types.js'

/**
 * A public address, as `fly deploy` provisions on a first deploy with services
 * (flyctl internal/command/deploy/deploy_first.go provisionIpsOnFirstDeploy): a dedicated IPv6
 * and a shared IPv4 through the Machines API's ip_assignments (fly-go flaps_ip_assignments.go).
 * Only what is missing is allocated, so a republish allocates nothing.
 */
export async function ensureIps(api: FlyApi, name: string, org: string, emit: Emit, signal: AbortSignal): Promise<FlyIpAssignment[]> {
  const path = `${app(name)}/ip_assignments`
  const { body } = await api.request<{ ips?: FlyIpAssignment[] }>({ method: 'GET', path, signal })
  const ips = body.ips ?? []
  const public6 = ips.some((ip) => ip.ip.includes(':') && !ip.ip.startsWith('fdaa:'))
  const public4 = ips.some((ip) => !ip.ip.includes(':'))
  const added: FlyIpAssignment[] = []
  for (const [type, missing] of [['v6', !public6], ['shared_v4', !public4]] as const) {
    if (!missing) continue
    const { body: ip } = await api.request<FlyIpAssignment>({ method: 'POST', path, json: { type, org_slug: org }, signal })
    added.push({ ...ip, type })
    emit({ type: 'deploy:status', state: 'ip', message: `allocated ${type === 'v6' ? 'an IPv6' : 'a shared IPv4'} address ${ip.ip}` })
  }
  return [...ips, ...added]
}
