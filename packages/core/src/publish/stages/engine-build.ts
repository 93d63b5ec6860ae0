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
  // Base layers the engine pulls add up to one byte bar: layers report separately and out of order.
  const layers = new Map<string, { current: number; total: number }>()
  const onLayer = (layer: { id: string; current?: number; total?: number }) => {
    if (layer.total === undefined) return
    layers.set(layer.id, { current: Math.min(layer.current ?? 0, layer.total), total: Math.max(layer.total, layers.get(layer.id)?.total ?? 0) })
    const sum = [...layers.values()].reduce((acc, l) => ({ current: acc.current + l.current, total: acc.total + l.total }), { current: 0, total: 0 })
    emit({ type: 'progress', label: `base image layers (${layers.size})`, done: sum.current, total: sum.total, unit: 'bytes' })
  }
  const image = await pipeline.buildImage(engine, context, {
    tag,
    signal,
    onLayer,
    ...(networkMode === undefined ? {} : { networkMode }),
    onLog: (line) => emit({ type: 'image:build:log', line }),
    onStep: (step) => emit({ type: 'progress', label: `build step ${step.index}${step.total === undefined ? '' : `/${step.total}`}: ${step.instruction.slice(0, 48)}`, done: step.index - 1, ...(step.total === undefined ? {} : { total: step.total }), unit: 'steps' }),
  })
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
