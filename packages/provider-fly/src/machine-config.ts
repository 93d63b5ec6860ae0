import { META, type FlyMachineConfig } from './fly-types.js'
import type { FlyOptions } from './options.js'

/** Where the volume is mounted, and so where `--create-db` databases live. */
export const VOLUME_PATH = '/data'

export interface MachineConfigInput {
  image: string
  port: number
  /** Plain (non-secret) environment. Secrets are app secrets, never here. */
  env?: Record<string, string>
  volumeId?: string
  previousImage?: string
}

/**
 * One machine's config: the pushed image pinned by digest, PORT set to the service's internal
 * port, an HTTP service on 80/443 with a GET / check (Fly's proxy routes only to machines whose
 * checks pass), the sizing and auto-stop options, and the volume mount. Secrets stay out: Fly
 * injects the app's secrets into every machine it starts.
 */
export function machineConfig(input: MachineConfigInput, options: FlyOptions): FlyMachineConfig {
  const metadata: Record<string, string> = { [META.group]: 'app', [META.platform]: 'v2', [META.managedBy]: 'datapub' }
  if (input.previousImage !== undefined && input.previousImage !== input.image) metadata[META.previousImage] = input.previousImage
  if (options.createDb !== undefined) metadata[META.createDb] = options.createDb
  return {
    image: input.image,
    env: { ...input.env, PORT: String(input.port) },
    guest: { cpu_kind: options.cpuKind, cpus: options.cpus, memory_mb: options.memory },
    services: [
      {
        protocol: 'tcp',
        internal_port: input.port,
        autostop: options.autoStop,
        autostart: options.autoStart,
        min_machines_running: options.minMachinesRunning,
        ports: [
          { port: 80, handlers: ['http'], force_https: true },
          { port: 443, handlers: ['tls', 'http'] },
        ],
        // Datasette's start (immutable databases, inspect file) takes a few seconds on a shared CPU.
        checks: [{ type: 'http', method: 'GET', path: '/', interval: '10s', timeout: '5s', grace_period: '10s' }],
      },
    ],
    ...(input.volumeId === undefined ? {} : { mounts: [{ volume: input.volumeId, path: VOLUME_PATH }] }),
    metadata,
    restart: { policy: 'on-failure', max_retries: 3 },
  }
}

/** The same machine with another image: what a rollback sends. Everything else is kept as Fly has it. */
export function withImage(config: FlyMachineConfig, image: string): FlyMachineConfig {
  const metadata = { ...config.metadata }
  if (config.image !== image) metadata[META.previousImage] = config.image
  else delete metadata[META.previousImage]
  return { ...config, image, metadata }
}
