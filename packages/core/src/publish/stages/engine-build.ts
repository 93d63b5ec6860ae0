import type { BuildContext } from '../../image/build-context.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import type { Emit } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, ArtifactKind, ImageArtifact, ProviderOperations } from '../../contract/provider-types.js'
import type { PipelineServices } from './pipeline-services.js'
import type { PublishSpec } from '../../contract/publish-spec.js'

export interface EngineBuildInput {
  spec: PublishSpec
  definition: AnyProviderDefinition
  operations: ProviderOperations
  accepts: ArtifactKind
  context: BuildContext
  pipeline: PipelineServices
  engine: ContainerEngine
  emit: Emit
  signal: AbortSignal
}

/** The build stage's title: an image build, or (context providers with limits) a local build to check them. */
export function engineBuildTitle(accepts: ArtifactKind, definition: AnyProviderDefinition): string {
  return accepts === 'image' ? 'Building the image' : `Building locally to check ${definition.title}'s limits`
}

/** The build stage with a Docker engine. */
export async function buildOnEngine(input: EngineBuildInput): Promise<ImageArtifact> {
  const { spec, context, pipeline, engine, emit, signal } = input
  const tag = `datapub/${spec.name}:${context.hash.slice(0, 12)}`
  const networkMode = (await engine.hasNetwork('bridge')) ? undefined : 'host'
  const image = await pipeline.buildImage(engine, context, { tag, signal, ...(networkMode === undefined ? {} : { networkMode }), onLog: (line) => emit({ type: 'image:build:log', line }) })
  emit({ type: 'image:built', imageId: image.imageId, tag: image.tag })
  return { kind: 'image', ref: image.tag, imageId: image.imageId }
}

/** The analyze stage: the built image against the provider's limits, before any upload. */
export async function analyzeOnEngine(input: EngineBuildInput, built: ImageArtifact): Promise<void> {
  const { spec, definition, pipeline, engine, emit } = input
  const limits = definition.limits
  // Layers of the runtime base are the host's problem, not prunable leftovers of ours.
  const baseDiffIds = await engine.inspectImage(spec.image.runtimeImage).then((i) => i.layers, () => [])
  const report = await pipeline.analyzeImage({ engine, ref: built.ref }, { baseDiffIds })
  const budget = limits.imageBytes?.value
  emit({ type: 'image:analyzed', bytes: report.totalBytes, layers: report.layers.length, ...(budget === undefined ? {} : { budgetBytes: budget }) })
  await pipeline.assertWithinBudget(report, limits, definition.name)
}

/** The push stage: the engine's image to the provider's push target, only the blobs it lacks. */
export async function pushFromEngine(input: EngineBuildInput, built: ImageArtifact): Promise<ImageArtifact> {
  const { spec, operations, context, pipeline, engine, emit, signal } = input
  if (operations.pushTarget === undefined) return built
  const target = await operations.pushTarget({ name: spec.name, spec, contextHash: context.hash }, signal)
  const pushed = await pipeline.pushEngineImage(engine, built.ref, target, {
    signal,
    onProgress: (p) => emit({ type: 'push:progress', ref: `${target.registry}/${target.repository}`, sentBytes: p.sentBytes, totalBytes: p.totalBytes }),
  })
  return { ...pushed, ...(built.imageId === undefined ? {} : { imageId: built.imageId }) }
}
