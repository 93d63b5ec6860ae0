/**
 * Everything the Dockerfile recipe depends on, already reduced to in-image names: the recipe
 * never sees host paths, secrets or the deploy-time environment.
 */
export interface RecipeInput {
  /** Builder stage base: has the Python named by `python` (and venv). */
  baseImage: string
  /** Final stage base of the `base` runtime: must carry the same Python at the same path as the builder. */
  runtimeImage: string
  /**
   * What the final stage starts from. `minimal` (the default): an empty image that receives
   * only what the venv needs from the builder (interpreter, trimmed stdlib, linked libraries,
   * /bin/sh), run as a non-root user. `base`: `runtimeImage`, for apt packages and SpatiaLite,
   * which select it on their own (see `finalStage`).
   */
  runtime?: RuntimeVariant
  /** `base` only: serve as root, for a provider whose writable volume is mounted root-owned. */
  runAsRoot?: boolean
  /** Interpreter that creates the venv: `python3` or `python3.12`. */
  python: string
  /** pip requirement for Datasette: `datasette`, `datasette==X` or an https archive URL. */
  datasette: string
  install: string[]
  pipIndexUrl?: string
  /** A `wheels/` directory is in the context; pip installs from it. */
  pipFindLinks: boolean
  /** Debian packages installed in the builder only. */
  builderAptPackages: string[]
  /** Debian packages installed in the final image. */
  aptPackages: string[]
  spatialite: boolean
  /** Database file names under /app, in serve order. */
  databases: string[]
  metadata: boolean
  templates: boolean
  plugins: boolean
  /** Static mount names; each is served from /app/static/<mount>. */
  staticMounts: string[]
  versionNote?: string
  /** The user's `--extra-options`, already split into tokens. */
  extraOptions: string[]
  /** Options a provider adds, e.g. `['--setting', 'force_https_urls', 'on']`. */
  serveOptions: string[]
  port: number
}

export type RuntimeVariant = 'minimal' | 'base'

/** Where the recipe puts things; shared by the context writer, the recipe and the tests. */
export const IMAGE_PATHS = {
  venv: '/opt/datasette',
  app: '/app',
  wheels: '/wheels',
  pruneScript: '/tmp/datapub-prune-venv.py',
  /** The assemble stage's tree: the minimal runtime's root file system, venv excepted. */
  rootfs: '/rootfs',
  /** Both final stages run as this user (the assemble step writes it to the minimal stage's /etc/passwd). */
  runtimeUser: '65532:65532',
  inspectFile: 'inspect-data.json',
  metadataFile: 'metadata.json',
  templatesDir: 'templates',
  pluginsDir: 'plugins',
  staticDir: 'static',
  /** Context-relative directory copied to /app. */
  contextApp: 'app',
  contextWheels: 'wheels',
  contextPruneScript: 'build/prune-venv.py',
} as const
