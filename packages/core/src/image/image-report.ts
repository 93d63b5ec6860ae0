/** One file-system entry of a layer tar, as the analysis needs it. */
export interface LayerEntry {
  /** Path without a leading `/` or `./`, no trailing slash. */
  path: string
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'
  size: number
  /** `.wh.<name>`: deletes `path` (already stripped of the prefix) from lower layers. */
  whiteout?: boolean
  /** `.wh..wh..opq`: hides everything under `path` from lower layers. */
  opaque?: boolean
}

export interface ParsedLayer {
  /** sha256 of the uncompressed tar (the config's diff_id). */
  diffId: string
  /** sha256 of the blob as stored (equal to diffId when stored uncompressed). */
  digest: string
  /** Bytes of the uncompressed tar. */
  tarBytes: number
  /** Bytes of the blob gzip-compressed: the stored size when it was gzip, else an estimate at level 6. */
  compressedBytes: number
  compressedEstimated: boolean
  entries: LayerEntry[]
}

export interface PathSize {
  path: string
  bytes: number
  /** Layer index the file comes from (files only). */
  layer?: number
}

export interface LayerReport {
  index: number
  diffId: string
  /** Sum of the sizes of the files in this layer (what `docker history` shows). */
  bytes: number
  tarBytes: number
  compressedBytes: number
  compressedEstimated: boolean
  files: number
  /** The instruction that created it, from the config history (empty_layer entries skipped). */
  createdBy?: string
  /** Part of the base image the caller named; base layers are not the recipe's to prune. */
  base: boolean
  /** Largest files of this layer still visible in the final image. */
  largestFiles: PathSize[]
}

export interface PrunableFile {
  path: string
  bytes: number
  layer: number
  rule: PrunableRule
}

export type PrunableRule = 'python-bytecode' | 'c-sources' | 'windows-binaries' | 'headers' | 'static-libraries' | 'test-suites' | 'pip-cache' | 'apt-cache'

export interface ImageReport {
  ref?: string
  /** Where it was read from: `docker save` (manifest.json) or an OCI layout. */
  format: 'docker-archive' | 'oci-layout' | 'registry'
  /** Config digest (the engine's image id). */
  imageId?: string
  architecture?: string
  os?: string
  /** Sum of layer bytes: the size the engine reports and hosts such as Now v1 limit. */
  totalBytes: number
  compressedBytes: number
  layers: LayerReport[]
  /** Directory totals of the final file system, largest first (the seed's `du -m | sort -n`, reversed). */
  largestDirectories: PathSize[]
  largestFiles: PathSize[]
  /** Paths a later layer replaced: the earlier copies still ship. */
  overwritten: Array<{ path: string; bytes: number; layers: number[] }>
  /** Paths a later layer deleted (whiteouts): the bytes still ship in the earlier layer. */
  deleted: Array<{ path: string; bytes: number; layer: number; deletedIn: number }>
  /** dive: sum of cumulative sizes of paths that occur in two or more layers. */
  wastedBytes: number
  /** dive: sum of layer sizes from layer 1 on. */
  userBytes: number
  wastedUserPercent: number
  /** dive: sum over paths of the smallest size seen / sum of all sizes seen. */
  efficiency: number
  prunable: {
    /** In layers the caller did not mark as base. */
    files: number
    bytes: number
    /** In base layers, for information. */
    baseFiles: number
    baseBytes: number
    byRule: Array<{ rule: PrunableRule; files: number; bytes: number }>
    /** Largest prunable paths (all layers), for messages. */
    paths: PrunableFile[]
  }
  /** Things the reader could not interpret (zstd layers, unknown entries). */
  warnings: string[]
}
