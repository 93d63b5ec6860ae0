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
    pipIndexUrl?: string
    pipFindLinks?: string
    aptPackages: string[]
    spatialite: boolean
  }
  port: number
  generateDir?: string
  showFiles: boolean
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
