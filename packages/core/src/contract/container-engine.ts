import type { Readable } from 'node:stream'
import type { ImageConfig } from '../registry/image-manifest.js'

/**
 * The slice of a Docker engine datapub uses. Providers and stages see this, never dockerode,
 * so tests can hand in another implementation and the engine can be remote (tcp, ssh).
 */
export interface ContainerEngine {
  /** Where the engine is, redacted, for messages. */
  readonly endpoint: string
  ping(): Promise<void>
  version(): Promise<{ version: string; apiVersion: string; os: string; arch: string }>
  build(context: Readable, options: BuildOptions): Promise<BuildResult>
  imageExists(ref: string): Promise<boolean>
  inspectImage(ref: string): Promise<ImageInfo>
  tagImage(ref: string, repo: string, tag: string): Promise<void>
  removeImage(ref: string): Promise<void>
  /** Every tag of one repository (`datapub/birds` gives `datapub/birds:3f2a…`, …). Optional: without it, destroy leaves images behind. */
  listImageTags?(repository: string): Promise<string[]>
  /** The `docker save` stream of one image. */
  saveImage(ref: string): Promise<Readable>
  /** `docker load` of a docker-archive stream; returns the loaded references. */
  loadImage(archive: Readable): Promise<string[]>
  /**
   * The image's config as an image config blob would hold it (architecture, os, the run config
   * and rootfs.diff_ids; no history), read without exporting any layer. With it an image can be
   * stacked on one the engine holds and loaded as an archive that omits the layers the engine
   * has (see image/append/write-docker-archive.ts). Optional: without it, append needs a registry.
   */
  imageConfig?(ref: string): Promise<ImageConfig>
  hasNetwork(name: string): Promise<boolean>
  runContainer(options: RunOptions): Promise<ContainerInfo>
  listContainers(labels: Record<string, string>, all?: boolean): Promise<ContainerInfo[]>
  inspectContainer(id: string): Promise<ContainerInfo>
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>
  removeContainer(id: string): Promise<void>
  renameContainer(id: string, name: string): Promise<void>
  containerLogs(id: string, tail: number): Promise<string>
}

export interface BuildOptions {
  tag: string
  buildArgs?: Record<string, string>
  labels?: Record<string, string>
  /** `host` or `none`; bridge-less engines need one of them. */
  networkMode?: string
  /** Dockerfile path inside the context. */
  dockerfile?: string
  target?: string
  noCache?: boolean
  onLog?: (line: string) => void
  /** Byte progress of a base image layer the engine pulls during the build (`FROM`). */
  onLayer?: (layer: LayerProgress) => void
  signal?: AbortSignal
}

export interface LayerProgress {
  id: string
  /** The engine's word for it: Downloading, Extracting, Pull complete... */
  status: string
  current?: number
  total?: number
}

export interface BuildResult {
  imageId: string
  tag: string
  /** Build output, last lines first kept for error reports. */
  log: string[]
}

export interface ImageInfo {
  id: string
  repoTags: string[]
  size: number
  created: string
  config: { cmd?: string[]; entrypoint?: string[]; env?: string[]; exposedPorts?: string[]; labels?: Record<string, string> }
  layers: string[]
}

export interface RunOptions {
  image: string
  name: string
  env?: Record<string, string>
  labels?: Record<string, string>
  /** `host` shares the host network (the app binds $PORT); otherwise `containerPort` is published. */
  networkMode: 'host' | 'bridge'
  containerPort: number
  /** Host port to publish on with bridge networking; 0 picks a free one. */
  hostPort?: number
  restart?: 'no' | 'unless-stopped'
}

export interface ContainerInfo {
  id: string
  name: string
  image: string
  imageId: string
  state: string
  running: boolean
  labels: Record<string, string>
  createdAt: string
  /** Host port the service answers on, when known. */
  hostPort?: number
  exitCode?: number
  /** Times the engine restarted it: a crash loop shows here while `state` still says running. */
  restartCount: number
  /** The container's environment. Holds secrets: never put it in events or errors. */
  env: Record<string, string>
}
