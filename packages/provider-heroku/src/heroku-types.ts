/** The Platform API objects datapub reads (reference/host-apis.md section 3), trimmed to the fields used. */
export interface HerokuApp {
  id: string
  name: string
  web_url: string
  stack?: { id?: string; name: string }
  build_stack?: { id?: string; name: string }
  region?: { id?: string; name: string }
  team?: { id?: string; name: string } | null
  created_at?: string
  released_at?: string | null
}

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed' | 'expired'

export interface HerokuRelease {
  id: string
  version: number
  status: ReleaseStatus
  current?: boolean
  description?: string
  eligible_for_rollback?: boolean
  output_stream_url?: string | null
  created_at?: string
}

export type DynoState = 'crashed' | 'down' | 'idle' | 'starting' | 'up'

export interface HerokuDyno {
  name: string
  type: string
  state: DynoState
  size?: string
  release?: { id: string; version: number }
  updated_at?: string
}

export interface HerokuFormation {
  type: string
  quantity: number
  size?: string
  command?: string
  /** Only under the docker-releases variant; its shape is not in the public schema. */
  docker_image?: string | { id?: string } | null
}

export interface HerokuBuild {
  id: string
  status: 'pending' | 'succeeded' | 'failed'
  output_stream_url?: string | null
  release?: { id: string } | null
  created_at?: string
}

export interface HerokuSource {
  source_blob: { get_url: string; put_url: string }
}

export interface HerokuAccount {
  id?: string
  email?: string
}
