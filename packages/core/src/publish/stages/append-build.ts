import { createReadStream } from 'node:fs'
import { cp, lstat, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Emit } from '../../contract/publish-event.js'
import type { BuildContext } from '../../image/build-context.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import type { AppendedImage } from '../../image/append/build-append-image.js'
import type { EngineAppendedImage } from '../../image/append/build-engine-append-image.js'
import type { AnyProviderDefinition, ImageArtifact, ProviderOperations, PushTarget } from '../../contract/provider-types.js'
import type { RegistryClient, RegistryClientOptions } from '../../registry/registry-client.js'
import type { RegistryCredentials, CredentialResolver } from '../../contract/registry-credentials.js'
import type { PipelineServices } from './pipeline-services.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import { wheelsDigest } from './wheels-digest.js'
import { findRuntimeImage } from './find-runtime-image.js'

export interface AppendBuildInput {
  spec: PublishSpec
  definition: AnyProviderDefinition
  operations: ProviderOperations
  context: BuildContext
  /** File names of the databases inside /app (`<name>.db`), in the order the data stage made them. */
  databaseFiles: string[]
  /** This publish's temporary folder; removed by the runner. */
  work: string
  pipeline: PipelineServices
  engine: () => Promise<ContainerEngine>
  env: Readonly<Record<string, string | undefined>>
  emit: Emit
  signal: AbortSignal
  /** Serve options a provider's recipe hook adds (a writable database on a volume). */
  serveOptions: string[]
  /** Makes a registry client the runner closes when the publish ends. */
  client(options: Omit<RegistryClientOptions, 'signal'>): Promise<RegistryClient>
}

/**
 * What the append build stage hands the push stage: an image stacked on a runtime image in a
 * registry and where it goes (no target: the provider's own engine), or one stacked on the
 * runtime image the engine itself holds, of which only the new layers will cross.
 */
export type AppendedBuild =
  | { kind: 'registry'; image: AppendedImage; target: PushTarget | undefined }
  | { kind: 'engine'; image: EngineAppendedImage; tag: string }

interface RuntimeLocation {
  registry: string
  repository: string
  credentials?: RegistryCredentials | CredentialResolver
  /** For the runtime image's own first push (pushEngineImage takes a PushTarget). */
  pushCredentials?: PushTarget['credentials']
  insecure?: boolean
  /** The provider's format, so a Docker-v2-only registry (Heroku) accepts the runtime image too. */
  manifestFormat: PushTarget['manifestFormat']
}

/**
 * Where --builder append finds its runtime image: a registry (the provider's own or
 * --runtime-registry), or, for a provider that runs what the engine holds, the engine itself
 * (which must be able to report image configs without exporting layers).
 */
export function appendRuntimeStore(spec: PublishSpec, pushes: boolean, engine: ContainerEngine | undefined): 'registry' | 'engine' | undefined {
  if (pushes || spec.runtimeRegistry !== undefined) return 'registry'
  return engine?.imageConfig === undefined ? undefined : 'engine'
}

/**
 * The build stage of the append builder: the data goes as new layers onto a runtime image kept
 * in a registry, so the engine builds only when that runtime image is missing (first publish,
 * or a change of Datasette, plugins, apt packages or base images).
 */
export async function buildAppended(input: AppendBuildInput, store: 'registry' | 'engine'): Promise<AppendedBuild> {
  if (store === 'engine') return buildOnEngineRuntime(input)
  const { spec, operations, context, pipeline, emit, signal } = input
  const target = operations.pushTarget === undefined ? undefined : await operations.pushTarget({ name: spec.name, spec, contextHash: context.hash }, signal)
  const runtime = await runtimeLocation(spec, target, input.env)
  const recipe = (await import('../../image/recipe-input-from-spec.js')).recipeInputFromSpec(spec, input.databaseFiles, input.serveOptions)
  const { key, dockerfile } = (await import('../../image/append/runtime-recipe.js')).runtimeRecipe(recipe, await wheelsDigest(path.join(context.dir, 'wheels')))
  const runtimeClient = await input.client({ registry: runtime.registry, ...(runtime.insecure ? { protocol: 'http' } : {}), ...(runtime.credentials === undefined ? {} : { credentials: runtime.credentials }) })
  const runtimeRef = `${runtime.registry}/${runtime.repository}:${key}`
  if ((await findRuntimeImage(runtimeClient, runtime.repository, key)) !== undefined) {
    emit({ type: 'log', level: 'info', message: `runtime image ${runtimeRef} found: no engine build needed` })
  } else {
    emit({ type: 'log', level: 'info', message: `runtime image ${runtimeRef} is missing: building it once on the engine and pushing it; later publishes with the same Datasette, plugins and packages skip the engine` })
    await buildRuntimeImage(input, runtime, key, dockerfile)
  }
  const format = (target?.manifestFormat ?? 'docker-v2') === 'docker-v2' ? 'docker' : 'oci'
  const image = await pipeline.buildAppendImage({
    base: { client: runtimeClient, repository: runtime.repository, reference: key },
    appDir: path.join(context.dir, 'app'),
    recipe,
    format,
    // Per publish: buildAppendImage rewrites every layer anyway, so a shared cache would only grow.
    blobDir: path.join(input.work, 'append-blobs'),
  })
  emit({ type: 'image:built', imageId: image.config.descriptor.digest, tag: target === undefined ? localTag(spec, context) : `${target.registry}/${target.repository}:${target.tags[0] ?? 'latest'}`, bytes: image.newBytes })
  return { kind: 'registry', image, target }
}

/**
 * Append for an engine-run provider without a registry: the runtime image lives in the engine
 * under a tag derived from the recipe; it is built there once, and every later publish with the
 * same Datasette, plugins and packages only writes data layers.
 */
async function buildOnEngineRuntime(input: AppendBuildInput): Promise<AppendedBuild> {
  const { spec, context, emit } = input
  const engine = await input.engine()
  const { recipeInputFromSpec } = await import('../../image/recipe-input-from-spec.js')
  const { runtimeRecipe } = await import('../../image/append/runtime-recipe.js')
  const recipe = recipeInputFromSpec(spec, input.databaseFiles, input.serveOptions)
  const { key, dockerfile } = runtimeRecipe(recipe, await wheelsDigest(path.join(context.dir, 'wheels')))
  const runtimeTag = `datapub-runtime/local:${key}`
  if (await engine.imageExists(runtimeTag)) emit({ type: 'log', level: 'info', message: `runtime image ${runtimeTag} found in the engine: no engine build needed` })
  else {
    emit({ type: 'log', level: 'info', message: `runtime image ${runtimeTag} is missing: building it once on the engine; later publishes with the same Datasette, plugins and packages skip the engine build` })
    await buildRuntimeOnEngine(input, engine, runtimeTag, dockerfile)
  }
  const { buildEngineAppendImage } = await import('../../image/append/build-engine-append-image.js')
  const image = await buildEngineAppendImage({ engine, ref: runtimeTag, appDir: path.join(context.dir, 'app'), recipe, blobDir: path.join(input.work, 'append-blobs') })
  const tag = localTag(spec, context)
  emit({ type: 'image:built', imageId: image.config.descriptor.digest, tag, bytes: image.newBytes })
  return { kind: 'engine', image, tag }
}

/** The push stage's title for an appended image: its registry's, or a load into the provider's engine. */
export function appendPushTitle(built: AppendedBuild | undefined, definition: AnyProviderDefinition): string {
  if (built?.kind === 'engine') return 'Loading the new layers into the engine (docker load of the missing layers, no build)'
  return built?.target === undefined ? 'Loading the image into the engine (docker load, no build)' : `Pushing the new layers to ${definition.title}`
}

/**
 * The push stage of the append builder: push providers get only the blobs their registry
 * lacks; an engine-run provider gets a docker-archive loaded into its engine.
 */
export async function pushAppended(input: AppendBuildInput, built: AppendedBuild): Promise<ImageArtifact> {
  const { pipeline, emit } = input
  if (built.kind === 'engine') return loadMissingLayers(input, built.image, built.tag)
  if (built.target === undefined) return loadIntoEngine(input, built.image)
  const pushTo = built.target
  const image = built.image
  const sameRegistry = image.base.client.registry === pushTo.registry
  const targetClient = sameRegistry ? image.base.client : await input.client({ registry: pushTo.registry, ...(pushTo.insecure ? { protocol: 'http' } : {}), ...(pushTo.credentials === undefined ? {} : { credentials: pushTo.credentials }) })
  const ref = `${pushTo.registry}/${pushTo.repository}`
  const totalBytes = image.newBytes
  const sent = new Map<number, number>()
  const pushed = await pipeline.pushAppendImage(image, { client: targetClient, repository: pushTo.repository, tags: pushTo.tags }, {
    onProgress: (p) => {
      if (p.state === 'uploading' || p.state === 'restarted' || p.state === 'done') sent.set(p.index, p.bytes)
      emit({ type: 'push:progress', ref, sentBytes: [...sent.values()].reduce((a, b) => a + b, 0), totalBytes })
    },
  })
  emit({ type: 'log', level: 'info', message: `sent ${pushed.bytesSent} bytes to ${ref} for ${image.newBytes} bytes of new layers and config (${ratio(pushed.bytesSent, image.newBytes)}); the runtime layers were already there or mounted` })
  return { kind: 'image', ref: `${ref}@${pushed.digest}`, digest: pushed.digest, configDigest: image.config.descriptor.digest }
}

/** The local provider runs what its engine holds: a docker-archive is loaded, nothing is built. */
async function loadIntoEngine(input: AppendBuildInput, image: AppendedImage): Promise<ImageArtifact> {
  const { spec, context, emit } = input
  const tag = localTag(spec, context)
  const archive = path.join(input.work, 'append-image.tar')
  await input.pipeline.writeDockerArchive(image, archive, tag)
  const engine = await input.engine()
  const bytes = await loadArchive(engine, archive, tag, emit)
  emit({ type: 'log', level: 'info', message: `loaded ${bytes} bytes into ${engine.endpoint} (the runtime image and ${image.newBytes} bytes of new layers and config)` })
  return { kind: 'image', ref: tag, imageId: image.config.descriptor.digest }
}

/** Only the layers the engine lacks cross: it skips the chains it already has (see writeMissingLayersArchive). */
async function loadMissingLayers(input: AppendBuildInput, image: EngineAppendedImage, tag: string): Promise<ImageArtifact> {
  const { emit } = input
  const engine = await input.engine()
  const { writeMissingLayersArchive } = await import('../../image/append/write-missing-layers-archive.js')
  const archive = path.join(input.work, 'append-image.tar')
  await writeMissingLayersArchive(image, archive, tag)
  const bytes = await loadArchive(engine, archive, tag, emit)
  emit({ type: 'log', level: 'info', message: `sent ${bytes} bytes to ${engine.endpoint} for ${image.newBytes} bytes of new layers and config (${ratio(bytes, image.newBytes)}); the runtime layers stayed in the engine` })
  return { kind: 'image', ref: tag, imageId: image.config.descriptor.digest }
}

/** Streams a docker-archive into the engine with byte progress, then removes it; returns its size. */
async function loadArchive(engine: ContainerEngine, archive: string, tag: string, emit: Emit): Promise<number> {
  const bytes = (await lstat(archive)).size
  let sentBytes = 0
  const stream = createReadStream(archive, { highWaterMark: 1024 * 1024 })
  stream.on('data', (chunk) => {
    sentBytes += chunk.length
    emit({ type: 'push:progress', ref: tag, sentBytes, totalBytes: bytes })
  })
  await engine.loadImage(stream)
  await rm(archive, { force: true })
  return bytes
}

/**
 * Where runtime images live: the option, or `<repository>-runtime` beside the provider's own
 * repository so the registry can mount its layers instead of receiving them again.
 */
async function runtimeLocation(spec: PublishSpec, target: PushTarget | undefined, env: AppendBuildInput['env']): Promise<RuntimeLocation> {
  const given = spec.runtimeRegistry
  if (target !== undefined && (given === undefined || given.registry === target.registry)) {
    return {
      registry: target.registry,
      repository: given?.repository ?? `${target.repository}-runtime`,
      ...(target.credentials === undefined ? {} : { credentials: target.credentials, pushCredentials: target.credentials }),
      ...(target.insecure ? { insecure: true } : {}),
      manifestFormat: target.manifestFormat,
    }
  }
  // Another registry than the provider's: its login comes from Docker's config, never the provider's token.
  const { dockerConfigCredentials } = await import('../../registry/credentials/docker-config-credentials.js')
  const location = given as NonNullable<typeof given>
  return { registry: location.registry, repository: location.repository, credentials: dockerConfigCredentials({ env: env as NodeJS.ProcessEnv }), manifestFormat: target?.manifestFormat ?? 'oci' }
}

/** The one engine build of append: the recipe without data, pushed where later publishes find it. */
async function buildRuntimeImage(input: AppendBuildInput, runtime: RuntimeLocation, key: string, dockerfile: string): Promise<void> {
  const { pipeline, emit, signal } = input
  const engine = await input.engine()
  const tag = `datapub-runtime/${path.posix.basename(runtime.repository)}:${key}`
  await buildRuntimeOnEngine(input, engine, tag, dockerfile)
  const ref = `${runtime.registry}/${runtime.repository}`
  await pipeline.pushEngineImage(engine, tag, {
    registry: runtime.registry,
    repository: runtime.repository,
    tags: [key],
    manifestFormat: runtime.manifestFormat,
    ...(runtime.pushCredentials === undefined ? {} : { credentials: runtime.pushCredentials }),
    ...(runtime.insecure ? { insecure: true } : {}),
  }, { signal, onProgress: (p) => emit({ type: 'push:progress', ref, sentBytes: p.sentBytes, totalBytes: p.totalBytes }) })
}

/** The runtime recipe alone (no data) built on the engine, tagged where append finds it. */
async function buildRuntimeOnEngine(input: AppendBuildInput, engine: ContainerEngine, tag: string, dockerfile: string): Promise<void> {
  const { context, pipeline, emit, signal } = input
  const dir = path.join(input.work, 'runtime-context')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'Dockerfile'), dockerfile)
  for (const part of ['build', 'wheels']) {
    const from = path.join(context.dir, part)
    if (await lstat(from).then(() => true, () => false)) await cp(from, path.join(dir, part), { recursive: true })
  }
  const { openBuildContext } = await import('../../image/create-build-context.js')
  const networkMode = (await engine.hasNetwork('bridge')) ? undefined : 'host'
  await pipeline.buildImage(engine, await openBuildContext(dir, dockerfile), { tag, signal, ...(networkMode === undefined ? {} : { networkMode }), onLog: (line) => emit({ type: 'image:build:log', line }) })
}

/** The engine builder's tag, so rollback and cleanup see one naming scheme whichever builder ran. */
function localTag(spec: PublishSpec, context: BuildContext): string {
  return `datapub/${spec.name}:${context.hash.slice(0, 12)}`
}

function ratio(sent: number, layers: number): string {
  return layers === 0 ? 'nothing new' : `${(sent / layers).toFixed(2)}x`
}
