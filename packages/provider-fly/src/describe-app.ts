import type { DeploymentDescriptor, DeploymentSummary } from '@datapub/core/kit'
import { app as appPath } from './fly-api.js'
import { META, type FlyApp, type FlyMachine, type FlyVolume } from './fly-types.js'
import type { FlyRuntime } from './fly-runtime.js'
import { listSecretNames } from './set-secrets.js'
import { health } from './wait-healthy.js'

/** ready when every machine is started and passing; stopped when the proxy auto-stopped them all (it starts one on the next request). */
export function summarizeApp(rt: FlyRuntime, app: FlyApp, machines: FlyMachine[] | undefined): DeploymentSummary {
  const image = machines?.[0]?.config?.image
  return {
    id: app.name,
    name: app.name,
    url: rt.url(app.name),
    state: machines === undefined ? (app.status ?? 'unknown') : appState(machines),
    ...(image === undefined ? {} : { image }),
    ...(machines === undefined ? {} : { machines: machines.map((m) => ({ id: m.id, state: m.state, region: m.region, checks: (m.checks ?? []).map((c) => c.status) })) }),
    ...(machines?.[0]?.created_at === undefined ? {} : { createdAt: machines[0].created_at }),
  }
}

function appState(machines: FlyMachine[]): string {
  if (machines.length === 0) return 'no-machines'
  const verdicts = machines.map((m) => health(m))
  if (verdicts.every((v) => v.kind === 'healthy')) return 'ready'
  if (machines.every((m) => m.state === 'stopped' || m.state === 'suspended')) return m0(machines)
  if (verdicts.some((v) => v.kind === 'failed') && verdicts.every((v) => v.kind !== 'healthy')) return 'failed'
  return 'reconciling'
}

const m0 = (machines: FlyMachine[]) => (machines.some((m) => (m.config?.services?.[0]?.autostart ?? false) === true) ? 'idle' : 'stopped')

/**
 * The portable descriptor: the image by digest, the options that recreate the app elsewhere,
 * secret and env NAMES (never values), and the volume, so a migration knows data lives there.
 */
export async function exportApp(rt: FlyRuntime, app: FlyApp, machines: FlyMachine[]): Promise<DeploymentDescriptor> {
  const { api, signal } = rt
  const [secretNames, volumes] = await Promise.all([listSecretNames(api, app.name, signal), api.request<FlyVolume[]>({ method: 'GET', path: `${appPath(app.name)}/volumes`, signal }).then((r) => r.body)])
  const first = machines[0]
  const config = first?.config
  const image = config?.image ?? ''
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1] ?? first?.image_ref?.digest ?? undefined
  const service = config?.services?.[0]
  const mounted = volumes.find((v) => (config?.mounts ?? []).some((m) => m.volume === v.id))
  const envNames = [...new Set([...secretNames, ...Object.keys(config?.env ?? {}).filter((k) => k !== 'PORT')])].sort()
  const guest = config?.guest
  return {
    schema: 'datapub.deployment/v1',
    provider: 'fly',
    id: app.name,
    name: app.name,
    url: rt.url(app.name),
    ...(image === '' ? {} : { image: { ref: image, ...(digest ? { digest } : {}), registry: image.split('/')[0] ?? '' } }),
    options: {
      org: app.organization?.slug ?? rt.options.org,
      ...(first?.region === undefined ? {} : { region: first.region }),
      machines: machines.length,
      ...(guest === undefined ? {} : { memory: guest.memory_mb, cpus: guest.cpus, cpuKind: guest.cpu_kind }),
      ...(service?.autostop === undefined ? {} : { autoStop: service.autostop }),
      ...(service?.autostart === undefined ? {} : { autoStart: service.autostart }),
      ...(mounted === undefined ? {} : { volumeName: mounted.name, volumeSizeGb: mounted.size_gb }),
      ...(config?.metadata?.[META.createDb] === undefined ? {} : { createDb: config.metadata[META.createDb] }),
      ...(service?.internal_port === undefined ? {} : { port: service.internal_port }),
    },
    envNames,
    resources: {
      ...(guest === undefined ? {} : { memory: `${guest.memory_mb}Mi`, cpu: String(guest.cpus) }),
      minInstances: service?.min_machines_running ?? 0,
      maxInstances: machines.length,
    },
  }
}
