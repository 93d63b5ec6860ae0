import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createContainer, type ServiceOverrides } from '../di/create-container.js'
import type { ServiceContainer } from '../di/service-container.js'
import { Tokens } from '../di/tokens.js'
import { DatapubError } from '../errors/datapub-error.js'
import type { DeploymentResult, Emit } from '../contract/publish-event.js'
import { registerCredentialSecrets } from '../registry/register-credential-secrets.js'
import type { AnyProviderDefinition, Artifact, DeploymentDescriptor, ImageArtifact, ProviderOperations, PushTarget } from '../contract/provider-types.js'
import { assertName, createOperations } from '../publish/stages/collect-publish.js'
import { parseProviderOptions } from '../publish/spec/parse-provider-options.js'
import { copyImage } from '../registry/copy-image.js'
import { parseImageReference } from '../registry/image-reference.js'
import { RegistryClient } from '../registry/registry-client.js'
import { assertImageFits } from './assert-image-fits.js'
import { chooseImportPath, type ImportPath } from './choose-import-path.js'
import { runsEngineImages } from '../provider/runs-engine-images.js'
import { contextFromDir } from './context-from-dir.js'
import { parseDescriptor } from './descriptor-schema.js'
import { findSourceManifest } from './find-source-manifest.js'
import { importSpec } from './import-spec.js'
import { loadRegistryImage } from './load-registry-image.js'
import { materializeSources, type FetchSource } from './materialize-sources.js'
import { resolveSecrets, type SecretSources } from './resolve-secrets.js'

export interface ImportRequest {
  /** A descriptor object (validated here) as `export` returns it. */
  descriptor: unknown
  /** Target provider: an id, plugin name, path, or a defineProvider() value. */
  to: string | AnyProviderDefinition
  providerOptions?: Record<string, unknown>
  /** Deployment name on the target (default: the descriptor's name). */
  name?: string
  /** Where secret values come from; every name in `envNames` must resolve. */
  secrets?: SecretSources
  /** Local directory holding the recorded input files (the original build context). */
  sourcesDir?: string
  /** Download of recorded input files from the source host, when it can. */
  fetchSource?: FetchSource
  /** Credentials for reading the source registry; absent means Docker config.json lookup. */
  sourceRegistry?: { credentials?: PushTarget['credentials']; insecure?: boolean }
  /** Port the image serves on when the host sets no $PORT. */
  port?: number
  signal?: AbortSignal
  services?: ServiceOverrides
  container?: ServiceContainer
  onEvent?: Emit
}

export interface ImportResult {
  deployment: DeploymentResult
  path: ImportPath
  /** The image the target runs, when it runs one we placed. */
  image?: ImageArtifact
  /** False when rebuilt from a directory whose files no recorded hash vouched for. */
  inputsVerified: boolean
}

/**
 * Deploys an exported deployment on another provider: the image is reused when the target can
 * take it (pushed from the engine, copied registry to registry, or loaded into the engine), and
 * rebuilt from the recorded inputs otherwise. Secrets are resolved first, so a missing one
 * fails before any host changes.
 */
export async function importDeployment(request: ImportRequest): Promise<ImportResult> {
  const descriptor = parseDescriptor(request.descriptor)
  const root = request.container ?? createContainer(request.services)
  const services = root.createChild()
  const signal = request.signal ?? new AbortController().signal
  const emit: Emit = request.onEvent ?? (() => {})
  const say = (message: string) => emit({ type: 'log', level: 'info', message })
  const work = await mkdtemp(path.join(tmpdir(), 'datapub-import-'))
  try {
    const env = resolveSecrets(descriptor.envNames, { env: services.resolve(Tokens.Env), ...request.secrets })
    const definition = await services.resolve(Tokens.ProviderRegistry).get(request.to)
    const options = parseProviderOptions(definition, request.providerOptions)
    const name = request.name ?? descriptor.name
    assertName(name, definition)
    const operations = await createOperations(definition, options, services, emit, signal)
    const accepts = definition.artifactFor?.(options as never) ?? definition.accepts
    const sourcesAvailable = request.sourcesDir !== undefined || (descriptor.sources !== undefined && descriptor.sources.length > 0 && request.fetchSource !== undefined)
    const sourceRunsEngineImages = await runsEngineImages(services.resolve(Tokens.ProviderRegistry), descriptor.provider)
    const choice = chooseImportPath(descriptor, { accepts, hasPushTarget: operations.pushTarget !== undefined, sourcesAvailable, sourceRunsEngineImages })
    if (choice.path === undefined) {
      throw new DatapubError('MIGRATE_INPUTS_MISSING', `Cannot import ${descriptor.provider} deployment ${descriptor.id} on ${definition.title}: ${choice.reason}.`, {
        fault: 'user',
        path: 'sourcesDir',
        hint: 'Pass --sources-dir with the build context the deployment was made from, or choose a target that takes images.',
        details: { missing: descriptor.sources?.map((s) => s.path) ?? ['sources'] },
      })
    }
    say(`import path: ${choice.reason}`)
    const spec = importSpec(name, env, options, request.port ?? 8001)
    const contextHash = `sha256:${(descriptor.image?.digest ?? descriptor.id).replace(/^sha256:/, '').replace(/[^A-Za-z0-9]/g, '').padEnd(12, '0')}`
    const targetOf = async () => (operations.pushTarget as NonNullable<ProviderOperations['pushTarget']>).call(operations, { name, spec, contextHash }, signal)
    const engine = () => services.resolve(Tokens.EngineFactory)()
    const pipeline = services.resolve(Tokens.Pipeline)
    let artifact: Artifact
    let inputsVerified = true

    switch (choice.path) {
      case 'reuse-engine': {
        const image = descriptor.image!
        const ref = image.digest ?? image.ref
        if (!(await (await engine()).imageExists(ref))) throw new DatapubError('MIGRATE_IMAGE_NOT_FOUND', `Image ${ref} is not on this engine.`, { fault: 'user', hint: 'Import on the engine the local deployment runs on, or give --sources-dir to rebuild.' })
        assertImageFits((await (await engine()).inspectImage(ref)).size, definition, 'exact')
        artifact = { kind: 'image', ref, imageId: ref }
        break
      }
      case 'push-engine': {
        const image = descriptor.image!
        assertImageFits((await (await engine()).inspectImage(image.digest ?? image.ref)).size, definition, 'exact')
        const target = await targetOf()
        artifact = await pipeline.pushEngineImage(await engine(), image.digest ?? image.ref, target, { signal })
        break
      }
      case 'copy':
      case 'load': {
        const image = descriptor.image!
        const ref = parseImageReference(image.ref)
        const registry = image.registry !== undefined && image.registry !== '' ? image.registry : ref.registry
        const source = sourceClient(registry, request.sourceRegistry, signal)
        try {
          const manifest = await findSourceManifest(source, ref.repository, { ...(ref.tag === undefined ? {} : { tag: ref.tag }), ...((image.digest ?? ref.digest) === undefined ? {} : { digest: (image.digest ?? ref.digest)! }) })
          assertImageFits(manifest.json.layers.reduce((sum, l) => sum + l.size, 0), definition, 'lowerBound')
          if (choice.path === 'copy') {
            const target = await targetOf()
            const client = targetClient(target, signal)
            try {
              say(`copying ${registry}/${ref.repository}@${manifest.digest.slice(0, 19)} to ${target.registry}/${target.repository}`)
              const copied = await copyImage({ from: { client: source, repository: ref.repository, reference: manifest.reference }, to: { client, repository: target.repository, tags: target.tags }, ...(target.manifestFormat === 'docker-v2' ? { format: 'docker' as const } : {}) })
              artifact = { kind: 'image', ref: `${target.registry}/${target.repository}@${copied.digest}`, digest: copied.digest, configDigest: manifest.json.config.digest }
            } finally {
              client.close()
            }
          } else {
            const tag = `datapub/${name}:import-${manifest.json.config.digest.slice(7, 19)}`
            say(`loading ${registry}/${ref.repository}@${manifest.digest.slice(0, 19)} into the engine as ${tag}`)
            const loaded = await loadRegistryImage(await engine(), source, ref.repository, manifest.json, tag)
            artifact = { kind: 'image', ref: loaded.ref, imageId: loaded.imageId }
          }
        } finally {
          source.close()
        }
        break
      }
      case 'rebuild':
      case 'rebuild-context': {
        const sources = await materializeSources(descriptor, path.join(work, 'context'), { ...(request.sourcesDir === undefined ? {} : { dir: request.sourcesDir }), ...(request.fetchSource === undefined ? {} : { fetch: request.fetchSource }), signal })
        inputsVerified = sources.verified
        if (!sources.verified) say(`the export recorded no file hashes: rebuilding from ${sources.dir} as it is`)
        if (choice.path === 'rebuild-context') {
          artifact = { kind: 'context', dir: sources.dir, files: sources.files }
          break
        }
        const context = await contextFromDir(sources.dir)
        const e = await engine()
        const tag = `datapub/${name}:${context.hash.slice(0, 12)}`
        const networkMode = (await e.hasNetwork('bridge')) ? undefined : 'host'
        say(`rebuilding ${tag} from the recorded inputs`)
        const built = await pipeline.buildImage(e, context, { tag, signal, ...(networkMode === undefined ? {} : { networkMode }), onLog: (line) => emit({ type: 'image:build:log', line }) })
        assertImageFits((await e.inspectImage(built.tag)).size, definition, 'exact')
        if (operations.pushTarget !== undefined) {
          const target = await operations.pushTarget({ name, spec, contextHash: context.hash }, signal)
          artifact = { ...(await pipeline.pushEngineImage(e, built.tag, target, { signal })), imageId: built.imageId }
        } else artifact = { kind: 'image', ref: built.tag, imageId: built.imageId }
        break
      }
    }
    const result = await operations.deploy({ name, artifact, env, spec, port: spec.port, signal })
    const deployment: DeploymentResult = { ...result, ...(descriptor.databases === undefined ? {} : { databases: descriptor.databases }) }
    return { deployment, path: choice.path, inputsVerified, ...(artifact.kind === 'image' ? { image: artifact } : {}) }
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined)
    await services.dispose().catch(() => undefined)
  }
}

function sourceClient(registry: string, access: ImportRequest['sourceRegistry'], signal: AbortSignal): RegistryClient {
  const credentials = access?.credentials
  registerCredentialSecrets(credentials)
  return new RegistryClient({ registry, ...(access?.insecure ? { protocol: 'http' as const } : {}), ...(credentials === undefined ? {} : { credentials }), signal })
}

function targetClient(target: PushTarget, signal: AbortSignal): RegistryClient {
  registerCredentialSecrets(target.credentials)
  return new RegistryClient({ registry: target.registry, ...(target.insecure ? { protocol: 'http' as const } : {}), ...(target.credentials === undefined ? {} : { credentials: target.credentials }), signal })
}

export type { DeploymentDescriptor }
