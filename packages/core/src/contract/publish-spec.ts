/** The normalised, validated description of one publish. Every later stage reads only this. */
export interface PublishSpec {
  name: string
  inputs: PublishInput[]
  databaseName: string
  /** Merged metadata (file + title/license/... + plugin secret references). */
  metadata: Record<string, unknown>
  extraOptions: string[]
  /** The pip requirement that installs Datasette: `datasette`, `datasette==X` or a branch archive URL. */
  datasette: string
  templateDir?: string
  pluginsDir?: string
  staticMounts: Array<{ mount: string; dir: string }>
  install: string[]
  /** Deploy-time environment: DATASETTE_SECRET and plugin secrets. Values are registered secrets. */
  env: Record<string, string>
  versionNote?: string
  image: {
    baseImage: string
    runtimeImage: string
    /** Final stage: `minimal` (from scratch, what the venv needs) or `base` (runtimeImage); apt packages and SpatiaLite select `base`. */
    runtime?: 'minimal' | 'base'
    /** Set by a provider's recipe hook: the `base` stage serves as root (a root-owned writable volume). */
    runAsRoot?: boolean
    pipIndexUrl?: string
    pipFindLinks?: string
    aptPackages: string[]
    spatialite: boolean
    /** Debian packages for the builder stage only (compilers, -dev headers); undefined: gcc + libc6-dev when plugins are installed. */
    builderAptPackages?: string[]
    /** Python to create the venv with (`python3.12`); both stages must carry it at the same path. */
    pythonVersion?: string
  }
  port: number
  generateDir?: string
  /** undefined means `engine`; `append` applies to providers that take an image. */
  builder?: 'engine' | 'append'
  /** Where append keeps runtime images; undefined: `<repository>-runtime` on the provider's push registry. */
  runtimeRegistry?: { registry: string; repository: string }
  verify: boolean
  verifyTimeoutMs: number
  showFiles: boolean
  /** CSV conversion options (csvs-to-sqlite flags), passed to the data stage unchanged. */
  csv?: Record<string, unknown>
  /** The provider's own options, parsed by its schema. */
  providerOptions: Record<string, unknown>
}

export interface PublishInput {
  kind: 'csv' | 'tsv' | 'sqlite'
  /** Absolute, resolved path. */
  path: string
  /** Path as the user gave it, for messages. */
  given: string
  bytes: number
}
