import { createReadStream } from 'node:fs'
import { cp, lstat, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Emit, Stage } from '../../contract/publish-event.js'
import type { BuildContext } from '../../image/build-context.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import type { AppendedImage } from '../../image/append/build-append-image.js'
import type { AnyProviderDefinition, ImageArtifact, ProviderOperations, PushTarget } from '../../contract/provider-types.js'
import type { RegistryClient, RegistryClientOptions } from '../../registry/registry-client.js'
import type { RegistryCredentials, CredentialResolver } from '../../registry/registry-credentials.js'
import type { PipelineServices } from './pipeline-services.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import { wheelsDigest } from './wheels-digest.js'
import { findRuntimeImage } from './find-runtime-image.js'
import { skipReason } from './skip-reason.js'

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
  stage: <T>(name: Stage, title: string, work: () => Promise<T>) => Promise<T>
  skip: (name: Stage, reason: string) => void
  signal: AbortSignal
}

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
 * The build, analyze and push stages with the append builder: the data goes as new layers onto
 * a runtime image kept in a registry, so the engine builds only when that runtime image is
 * missing (first publish, or a change of Datasette, plugins, apt packages or base images).
 * Push providers get only the blobs their registry lacks; the local provider gets a
 * docker-archive loaded into its engine. Returns undefined when append cannot run (local
 * without a runtime registry): the runner then builds with the engine, after a warning.
 */
export async function appendBuild(input: AppendBuildInput): Promise<ImageArtifact | undefined> {
  const { spec, definition, operations, context, pipeline, emit, stage, signal } = input
  const pushTarget = operations.pushTarget?.bind(operations)
  if (pushTarget === undefined && spec.runtimeRegistry === undefined) {
    emit({
      type: 'warning',
      code: 'APPEND_NEEDS_RUNTIME_REGISTRY',
      message: `${definition.title} has no registry of its own, so --builder append needs --runtime-registry (env DATAPUB_RUNTIME_REGISTRY), e.g. a registry on 127.0.0.1; building with the engine instead.`,
    })
    return undefined
  }
  const clients: RegistryClient[] = []
  const client = async (options: Omit<RegistryClientOptions, 'signal'>) => {
    const made = await pipeline.createRegistryClient({ ...options, signal })
    clients.push(made)
    return made
  }
  try {
    let target: PushTarget | undefined
    const built = await stage('build', `Building the image with the append builder (data layers on a prebuilt runtime image)`, async () => {
      target = pushTarget === undefined ? undefined : await pushTarget({ name: spec.name, spec, contextHash: context.hash }, signal)
      const runtime = await runtimeLocation(spec, target, input.env)
      const recipe = (await import('../../image/recipe-input-from-spec.js')).recipeInputFromSpec(spec, input.databaseFiles, [])
      const { key, dockerfile } = (await import('../../image/append/runtime-recipe.js')).runtimeRecipe(recipe, await wheelsDigest(path.join(context.dir, 'wheels')))
      const runtimeClient = await client({ registry: runtime.registry, ...(runtime.insecure ? { protocol: 'http' } : {}), ...(runtime.credentials === undefined ? {} : { credentials: runtime.credentials }) })
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
      return image
    })
    const noAnalysis = skipReason('analyze', { definition, accepts: 'image', generate: false, verify: spec.verify, pushes: pushTarget !== undefined, append: true })
    if (noAnalysis !== undefined) input.skip('analyze', noAnalysis)

    if (target === undefined) return await loadIntoEngine(input, built)
    const pushTo = target
    return await stage('push', `Pushing the new layers to ${definition.title}`, async () => {
      const sameRegistry = built.base.client.registry === pushTo.registry
      const targetClient = sameRegistry ? built.base.client : await client({ registry: pushTo.registry, ...(pushTo.insecure ? { protocol: 'http' } : {}), ...(pushTo.credentials === undefined ? {} : { credentials: pushTo.credentials }) })
      const ref = `${pushTo.registry}/${pushTo.repository}`
      const totalBytes = built.newBytes
      const sent = new Map<number, number>()
      const pushed = await pipeline.pushAppendImage(built, { client: targetClient, repository: pushTo.repository, tags: pushTo.tags }, {
        onProgress: (p) => {
          if (p.state === 'uploading' || p.state === 'restarted' || p.state === 'done') sent.set(p.index, p.bytes)
          emit({ type: 'push:progress', ref, sentBytes: [...sent.values()].reduce((a, b) => a + b, 0), totalBytes })
        },
      })
      emit({ type: 'log', level: 'info', message: `sent ${pushed.bytesSent} bytes to ${ref} for ${built.newBytes} bytes of new layers and config (${ratio(pushed.bytesSent, built.newBytes)}); the runtime layers were already there or mounted` })
      return { kind: 'image', ref: `${ref}@${pushed.digest}`, digest: pushed.digest, configDigest: built.config.descriptor.digest }
    })
  } finally {
    for (const c of clients) c.close()
  }
}

/** The local provider runs what its engine holds: a docker-archive is loaded, nothing is built. */
async function loadIntoEngine(input: AppendBuildInput, image: AppendedImage): Promise<ImageArtifact> {
  const { spec, context, emit } = input
  return input.stage('push', 'Loading the image into the engine (docker load, no build)', async () => {
    const tag = localTag(spec, context)
    const archive = path.join(input.work, 'append-image.tar')
    await input.pipeline.writeDockerArchive(image, archive, tag)
    const engine = await input.engine()
    const bytes = (await lstat(archive)).size
    let sentBytes = 0
    const stream = createReadStream(archive, { highWaterMark: 1024 * 1024 })
    stream.on('data', (chunk) => {
      sentBytes += chunk.length
      emit({ type: 'push:progress', ref: tag, sentBytes, totalBytes: bytes })
    })
    await engine.loadImage(stream)
    await rm(archive, { force: true })
    emit({ type: 'log', level: 'info', message: `loaded ${bytes} bytes into ${engine.endpoint} (the runtime image and ${image.newBytes} bytes of new layers and config)` })
    return { kind: 'image', ref: tag, imageId: image.config.descriptor.digest }
  })
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
  const { context, pipeline, emit, signal } = input
  const dir = path.join(input.work, 'runtime-context')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'Dockerfile'), dockerfile)
  for (const part of ['build', 'wheels']) {
    const from = path.join(context.dir, part)
    if (await lstat(from).then(() => true, () => false)) await cp(from, path.join(dir, part), { recursive: true })
  }
  const { openBuildContext } = await import('../../image/create-build-context.js')
  const runtimeContext = await openBuildContext(dir, dockerfile)
  const engine = await input.engine()
  const networkMode = (await engine.hasNetwork('bridge')) ? undefined : 'host'
  const tag = `datapub-runtime/${path.posix.basename(runtime.repository)}:${key}`
  await pipeline.buildImage(engine, runtimeContext, { tag, signal, ...(networkMode === undefined ? {} : { networkMode }), onLog: (line) => emit({ type: 'image:build:log', line }) })
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

/** The engine builder's tag, so rollback and cleanup see one naming scheme whichever builder ran. */
function localTag(spec: PublishSpec, context: BuildContext): string {
  return `datapub/${spec.name}:${context.hash.slice(0, 12)}`
}

function ratio(sent: number, layers: number): string {
  return layers === 0 ? 'nothing new' : `${(sent / layers).toFixed(2)}x`
}
