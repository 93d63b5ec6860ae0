import type { z } from 'zod'
import type { Emit, DeploymentResult } from './publish-event.js'
import type { Logger } from './logger.js'
import type { HttpClientFactory } from './http-client-factory.js'
import type { ContainerEngine } from './container-engine.js'
import type { PublishSpec } from './publish-spec.js'
import type { CredentialResolver } from './registry-credentials.js'

/** The provider contract version this core speaks. Bumped only on breaking contract changes. */
export const PROVIDER_API_VERSION = 1 as const

/** A machine-readable host limit, with where we learned it. */
export interface Limit<T = number> {
  value: T
  source: string
}

export interface ProviderLimits {
  /** Largest image the host accepts, uncompressed bytes. */
  imageBytes?: Limit
  /** Largest single file in an upload or image. */
  fileBytes?: Limit
  /** Largest bundle (serverless function, slug, source tarball). */
  bundleBytes?: Limit
  /** Longest a single request to the deployment may take. */
  requestTimeoutMs?: Limit
  memoryBytes?: Limit
  /** Deployment name rule, as a regular expression source. */
  namePattern?: Limit<string>
  manifestFormats?: Limit<Array<'docker-v2' | 'oci'>>
  platform?: Limit<string>
}

/** What the provider deploys: an image (local engine or a registry), a build context the host builds, or a file bundle. */
export type ArtifactKind = 'image' | 'context' | 'bundle'

export interface ImageArtifact {
  kind: 'image'
  /** Reference usable by the provider: a local engine tag, or registry/repo@digest after push. */
  ref: string
  /** Engine image id (sha256:...) when built locally. */
  imageId?: string
  /** Manifest digest in the target registry, after push. */
  digest?: string
  /** Digest of the image config blob (Heroku's formation wants it). */
  configDigest?: string
}
export interface ContextArtifact {
  kind: 'context'
  /** Directory holding the generated build context (Dockerfile, data, metadata). */
  dir: string
  /** Relative paths in the context, sorted. */
  files: string[]
}
export interface BundleArtifact {
  kind: 'bundle'
  dir: string
  files: string[]
}
export type Artifact = ImageArtifact | ContextArtifact | BundleArtifact

export interface DeployInput {
  /** Deployment name (`--name`), already validated against the provider's namePattern. */
  name: string
  artifact: Artifact
  /** Deploy-time environment: DATASETTE_SECRET and plugin secrets. Never baked into images. */
  env: Record<string, string>
  spec: PublishSpec
  /** Port the image serves on when $PORT is not set by the host. */
  port: number
  signal: AbortSignal
}

export interface AuthInfo {
  /** Who we are talking as, redacted (an account email, a project id...). */
  account?: string
  [extra: string]: unknown
}

export interface DeploymentSummary {
  id: string
  name: string
  url?: string
  state: string
  createdAt?: string
  [extra: string]: unknown
}

/** Portable description of a deployment, for migration between hosts (schema version 1). */
export interface DeploymentDescriptor {
  schema: 'datapub.deployment/v1'
  provider: string
  id: string
  name: string
  url?: string
  aliases?: string[]
  image?: { ref: string; digest?: string; registry?: string; /** Uncompressed size, checked against the target's limit. */ bytes?: number }
  sources?: Array<{ path: string; sha256: string; bytes: number }>
  options: Record<string, unknown>
  /** Names of environment variables the deployment needs. Never their values. */
  envNames: string[]
  resources?: { memory?: string; cpu?: string; minInstances?: number; maxInstances?: number }
  databases?: DeploymentResult['databases']
}

/** Where the push stage sends an image the engine built. */
export interface PushTarget {
  /** Registry `host[:port]`, e.g. `registry.heroku.com` or `127.0.0.1:5000`. */
  registry: string
  repository: string
  /** Tags to set; the first receives the manifest. Use content-derived tags so concurrent deploys never cross. */
  tags: string[]
  /**
   * Credentials for this push; registered as secrets by core. Absent means Docker config.json
   * lookup. Short-lived ones (an access token) come as a resolver: core asks it again, with
   * `refresh`, before the `expiresAt` it answered and when the registry refuses them mid-push.
   */
  credentials?: { username: string; password: string } | { registryToken: string } | CredentialResolver
  /** Heroku takes Docker v2 schema 2 only; others take either. Never an index. */
  manifestFormat: 'docker-v2' | 'oci'
  /** Plain http, for loopback registries. */
  insecure?: boolean
}

export interface ProviderOperations {
  checkAuth(signal?: AbortSignal): Promise<AuthInfo>
  /** For providers that take images from a registry: where to push before deploy. */
  pushTarget?(input: { name: string; spec: PublishSpec; contextHash: string }, signal?: AbortSignal): Promise<PushTarget>
  deploy(input: DeployInput): Promise<DeploymentResult>
  status(id: string, signal?: AbortSignal): Promise<DeploymentSummary>
  list(signal?: AbortSignal): Promise<DeploymentSummary[]>
  destroy(id: string, signal?: AbortSignal): Promise<void>
  rollback(id: string, signal?: AbortSignal): Promise<DeploymentResult>
  export(id: string, signal?: AbortSignal): Promise<DeploymentDescriptor>
  /** Points aliases (host names) at deployment `id`, for a migration's switch step; returns those now pointing there. */
  assignAliases?(id: string, aliases: string[], signal?: AbortSignal): Promise<string[]>
  /** Downloads one recorded input file of a deployment (`sources[].path` of its export), for rebuilding elsewhere. */
  fetchSource?(id: string, file: string, signal?: AbortSignal): Promise<import('node:stream').Readable>
}

type WithSignal<F> = F extends (...args: infer A) => infer R ? (...args: Required<A>) => R : F

/**
 * What a provider's create() returns: the operations, each handed exactly one signal that is
 * always set (the caller's joined with the context's, by core), so a provider never merges
 * `signal ?? context.signal` itself.
 */
export type ProviderImplementation = { [K in keyof ProviderOperations]: WithSignal<ProviderOperations[K]> }

/** What core hands a provider. Providers never see tsyringe, dockerode, nock or raw axios errors. */
export interface ProviderContext<TOptions> {
  options: TOptions
  provider: string
  http: HttpClientFactory
  emit: Emit
  logger: Logger
  signal: AbortSignal
  /** Lazily connects to the container engine (DOCKER_HOST); only providers that need one call it. */
  engine(): Promise<ContainerEngine>
  env: Readonly<Record<string, string | undefined>>
}

export type ProviderOptionsSchema = z.ZodObject<z.ZodRawShape>

/** What a provider declares about itself, so core decides by capability and never by a provider's name. */
export interface ProviderCapabilities {
  /**
   * Runs images straight from the Docker engine that built them: nothing is pushed, and its
   * exports name engine images (a tag or an image id), not registry references.
   */
  runsEngineImages?: boolean
}

export interface ProviderDefinition<S extends ProviderOptionsSchema = ProviderOptionsSchema> {
  /** kebab-case id used on the command line: `datapub publish <name>`. */
  name: string
  apiVersion: typeof PROVIDER_API_VERSION
  title: string
  description?: string
  /**
   * A host that no longer takes new deployments: why, in a few words. Its other operations
   * (list, status, export, destroy) still work, so deployments can be moved off it.
   */
  retired?: string
  /** The provider's own flags. Keys are camelCase; the CLI derives `--kebab-case` flags and help from it. */
  options: S
  limits: ProviderLimits
  accepts: ArtifactKind
  /** When the artifact depends on the options (Heroku's `--path build` takes a context): overrides `accepts` per publish. */
  artifactFor?(options: z.output<S>): ArtifactKind
  /**
   * What these options add to the image recipe: `datasette serve` arguments (a read-write
   * database on a mounted volume) and the `base` runtime when the server must run as root
   * (volumes mount root-owned). Never secrets: the recipe lands in image layers.
   */
  recipe?(options: z.output<S>): ProviderRecipe
  capabilities?: ProviderCapabilities
  create(context: ProviderContext<z.output<S>>): ProviderOperations | Promise<ProviderOperations>
  /**
   * For `plan`: says what credential is missing, from the options and environment alone (no
   * network, no host call); undefined when one is present. Whether it is valid is checkAuth's job.
   */
  missingCredentials?(options: z.output<S>, env: Readonly<Record<string, string | undefined>>): string | undefined | Promise<string | undefined>
}

export interface ProviderRecipe {
  serveOptions?: string[]
  runtime?: 'base'
  /** The server must run as root (a host volume mounted root-owned that it writes to); implies `base`. */
  user?: 'root'
}

/** What defineProvider() takes: the same, but create() may rely on every operation getting a signal. */
export interface ProviderDefinitionInput<S extends ProviderOptionsSchema = ProviderOptionsSchema> extends Omit<ProviderDefinition<S>, 'create'> {
  create(context: ProviderContext<z.output<S>>): ProviderImplementation | Promise<ProviderImplementation>
}

export type AnyProviderDefinition = ProviderDefinition<ProviderOptionsSchema>

/**
 * Provider id → the input type of its options, so `providerOptions` type-checks per provider.
 * Each provider package adds its entry by declaration merging (importing the package, even
 * `import type {} from '@datapub/provider-cloudrun'`, brings it in scope):
 *
 *   declare module '@datapub/core/kit' { interface ProviderOptionsMap { cloudrun: CloudrunOptionsInput } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by provider packages
export interface ProviderOptionsMap {}

/** What `providerOptions` takes for `provider`: a definition's schema input, a known id's entry, or any record for other names. */
export type ProviderOptionsOf<P> = P extends ProviderDefinition<infer S>
  ? z.input<S>
  : P extends keyof ProviderOptionsMap
    ? ProviderOptionsMap[P]
    : Record<string, unknown>

/** Any provider reference a request takes: an id, a plugin package name or path, or a definition. */
export type ProviderRef = string | AnyProviderDefinition
