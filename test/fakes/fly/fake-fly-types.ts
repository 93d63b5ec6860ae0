/** What the fake Fly keeps: apps, machines, volumes, and the handle a test gets (see fake-fly.ts). */
export interface FakeFly {
  /** Machines API base URL (the provider's apiUrl). */
  apiUrl: string
  /** Template of an app's public URL through the fake proxy (the provider's appUrl). */
  appUrl: string
  apps: Map<string, FakeApp>
  /** Every API request as `METHOD /path -> status`, in order. */
  log: string[]
  /** Apps that exist in another organisation: reading them is 403, creating them 422. */
  foreign: Set<string>
  /** The next machine created or updated runs this command instead of the image's (a crash on boot). */
  failNextMachine(cmd?: string[]): void
  close(): Promise<void>
}

export interface FakeApp {
  id: string
  name: string
  org: string
  machines: Map<string, FakeMachine>
  volumes: Map<string, FakeVolume>
  secrets: Map<string, string>
  secretsVersion: number
  ips: Array<{ ip: string; type: string; shared: boolean; region: string; created_at: string }>
}

export interface FakeVolume {
  id: string
  name: string
  region: string
  size_gb: number
  state: string
  attached_machine_id: string | null
  docker: string
  created_at: string
}

export interface FakeMachine {
  id: string
  name: string
  region: string
  state: string
  instance_id: string
  config: MachineConfig
  /** Versions of this machine's config, oldest first (Fly keeps them; `fly machine update` shows the diff). */
  versions: string[]
  events: Array<Record<string, unknown>>
  checkStatus: 'passing' | 'critical' | undefined
  checkOutput: string
  lease?: { nonce: string; expires: number; owner: string }
  container: string
  hostPort: number
  created_at: string
  updated_at: string
  exit?: { exit_code: number; oom_killed: boolean }
}

export interface MachineConfig {
  image: string
  env?: Record<string, string>
  init?: { cmd?: string[] }
  services?: Array<{ internal_port?: number; autostart?: boolean; autostop?: string; checks?: Array<{ path?: string; type?: string }> }>
  mounts?: Array<{ volume: string; path: string }>
  metadata?: Record<string, string>
  guest?: { cpu_kind?: string; cpus?: number; memory_mb?: number }
  [extra: string]: unknown
}
