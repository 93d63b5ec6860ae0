/** The slices of the Machines API shapes datapub reads and writes (fly-go machine_types.go, volume_types.go, flaps/*.go). */

export interface FlyApp {
  id: string
  name: string
  status?: string
  organization?: { name?: string; slug?: string }
}

export interface FlyAppListItem {
  id: string
  name: string
  machine_count?: number
  network?: string
}

export interface FlyService {
  protocol: 'tcp'
  internal_port: number
  autostop?: 'off' | 'stop' | 'suspend'
  autostart?: boolean
  min_machines_running?: number
  ports: Array<{ port: number; handlers: string[]; force_https?: boolean }>
  checks?: Array<{ type: 'http'; method: string; path: string; interval: string; timeout: string; grace_period: string }>
}

export interface FlyMachineConfig {
  image: string
  env?: Record<string, string>
  init?: { cmd?: string[] }
  guest?: { cpu_kind: string; cpus: number; memory_mb: number }
  services?: FlyService[]
  mounts?: Array<{ volume: string; path: string; name?: string }>
  metadata?: Record<string, string>
  restart?: { policy: 'no' | 'always' | 'on-failure'; max_retries?: number }
  [extra: string]: unknown
}

export interface FlyMachineEvent {
  type?: string
  status?: string
  source?: string
  timestamp?: number
  request?: { exit_event?: { exit_code?: number; oom_killed?: boolean; requested_stop?: boolean } }
}

export interface FlyMachine {
  id: string
  name?: string
  state: string
  region?: string
  instance_id?: string
  config?: FlyMachineConfig
  image_ref?: { registry?: string; repository?: string; tag?: string; digest?: string }
  created_at?: string
  updated_at?: string
  events?: FlyMachineEvent[]
  checks?: Array<{ name?: string; status?: string; output?: string }>
}

export interface FlyLease {
  status?: string
  data?: { nonce?: string; expires_at?: number; owner?: string; version?: string }
}

export interface FlyVolume {
  id: string
  name: string
  state?: string
  size_gb: number
  region: string
  attached_machine_id?: string | null
}

export interface FlyIpAssignment {
  ip: string
  region?: string
  shared?: boolean
  type?: string
  service_name?: string
}

export interface FlySecretsUpdate {
  secrets?: Array<{ name: string; digest?: string }>
  version: number
}

/** Machine metadata keys datapub writes, so a later publish or rollback knows what it made. */
export const META = {
  group: 'fly_process_group',
  platform: 'fly_platform_version',
  managedBy: 'managed_by',
  previousImage: 'datapub_previous_image',
  createDb: 'datapub_create_db',
} as const
