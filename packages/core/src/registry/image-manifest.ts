/** A content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  urls?: string[]
  annotations?: Record<string, string>
  platform?: Platform
}

export interface Platform {
  architecture: string
  os: string
  variant?: string
}

/** An image manifest, Docker v2 schema 2 or OCI v1: the same shape with different media types. */
export interface ImageManifest {
  schemaVersion: 2
  mediaType: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

/** A Docker manifest list or OCI index. Read (to pick a platform), never pushed by datapub. */
export interface ImageIndex {
  schemaVersion: 2
  mediaType: string
  manifests: Descriptor[]
}

/** The subset of an image config datapub reads and edits; other fields are carried over untouched. */
export interface ImageConfig {
  architecture: string
  os: string
  created?: string
  config?: {
    Env?: string[]
    Cmd?: string[]
    Entrypoint?: string[] | null
    WorkingDir?: string
    ExposedPorts?: Record<string, Record<string, never>>
    User?: string
    Labels?: Record<string, string>
    [key: string]: unknown
  }
  rootfs: { type: 'layers'; diff_ids: string[] }
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>
  [key: string]: unknown
}
