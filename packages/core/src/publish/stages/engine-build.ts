import type { BuildContext } from '../../image/build-context.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import type { Emit, Stage } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, Artifact, ArtifactKind, ImageArtifact, ProviderOperations } from '../../contract/provider-types.js'
import type { PipelineServices } from './pipeline-services.js'
import { skipReason, type SkipFacts } from './skip-reason.js'
import type { PublishSpec } from '../../contract/publish-spec.js'

export interface EngineBuildInput {
  spec: PublishSpec
  definition: AnyProviderDefinition
  operations: ProviderOperations
  accepts: ArtifactKind
  context: BuildContext
  pipeline: PipelineServices
  engine: () => Promise<ContainerEngine>
  emit: Emit
  stage: <T>(name: Stage, title: string, work: () => Promise<T>) => Promise<T>
  skip: (name: Stage, reason: string) => void
  signal: AbortSignal
}

/**
 * The build, analyze and push stages with a Docker engine. Image providers always build; a
 * provider that builds from the context itself but declares an image limit gets a local build
 * to check that limit when an engine is at hand. Returns what deploy receives.
 */
export async function engineBuild(input: EngineBuildInput): Promise<Artifact> {
  const { spec, definition, operations, accepts, context, pipeline, emit, stage, skip, signal } = input
  const limits = definition.limits
  const sized = limits.imageBytes !== undefined || limits.fileBytes !== undefined
  const fromContext: Artifact = accepts === 'bundle' ? { kind: 'bundle', dir: context.dir, files: context.files } : { kind: 'context', dir: context.dir, files: context.files }
  const engine = accepts === 'image' ? await input.engine() : sized && accepts === 'context' ? await input.engine().catch(() => undefined) : undefined
  const facts: SkipFacts = { definition, accepts, generate: false, verify: spec.verify, pushes: operations.pushTarget !== undefined, append: false, noEngine: engine === undefined }
  const skipped = (name: Stage): boolean => {
    const reason = skipReason(name, facts)
    if (reason !== undefined) skip(name, reason)
    return reason !== undefined
  }
  if (engine === undefined) {
    for (const name of ['build', 'analyze', 'push'] as const) skipped(name)
    return fromContext
  }

  const built: ImageArtifact = await stage('build', accepts === 'image' ? 'Building the image' : `Building locally to check ${definition.title}'s limits`, async () => {
    const tag = `datapub/${spec.name}:${context.hash.slice(0, 12)}`
    const networkMode = (await engine.hasNetwork('bridge')) ? undefined : 'host'
    // Base layers the engine pulls add up to one byte bar: layers report separately and out of order.
    const layers = new Map<string, { current: number; total: number }>()
    const onLayer = (layer: { id: string; current?: number; total?: number }) => {
      if (layer.total === undefined) return
      layers.set(layer.id, { current: Math.min(layer.current ?? 0, layer.total), total: Math.max(layer.total, layers.get(layer.id)?.total ?? 0) })
      const sum = [...layers.values()].reduce((a, l) => ({ current: a.current + l.current, total: a.total + l.total }), { current: 0, total: 0 })
      emit({ type: 'progress', label: `base image layers (${layers.size})`, done: sum.current, total: sum.total, unit: 'bytes' })
    }
    const image = await pipeline.buildImage(engine, context, { tag, signal, onLayer, ...(networkMode === undefined ? {} : { networkMode }), onLog: (line) => emit({ type: 'image:build:log', line }), onStep: (step) => emit({ type: 'progress', label: `build step ${step.index}${step.total === undefined ? '' : `/${step.total}`}: ${step.instruction.slice(0, 48)}`, done: step.index - 1, ...(step.total === undefined ? {} : { total: step.total }), unit: 'steps' }) })
    emit({ type: 'image:built', imageId: image.imageId, tag: image.tag })
    return { kind: 'image', ref: image.tag, imageId: image.imageId }
  })

  if (!skipped('analyze')) {
    await stage('analyze', `Checking the image against ${definition.title}'s limits`, async () => {
      // Layers of the runtime base are the host's problem, not prunable leftovers of ours.
      const baseDiffIds = await engine.inspectImage(spec.image.runtimeImage).then((i) => i.layers, () => [])
      const report = await pipeline.analyzeImage({ engine, ref: built.ref }, { baseDiffIds })
      const budget = limits.imageBytes?.value
      emit({ type: 'image:analyzed', bytes: report.totalBytes, layers: report.layers.length, ...(budget === undefined ? {} : { budgetBytes: budget }) })
      await pipeline.assertWithinBudget(report, limits, definition.name)
    })
  }

  if (skipped('push') || operations.pushTarget === undefined) return accepts === 'image' ? built : fromContext
  const pushTarget = operations.pushTarget.bind(operations)
  return stage('push', `Pushing the image to ${definition.title}`, async () => {
    const target = await pushTarget({ name: spec.name, spec, contextHash: context.hash }, signal)
    const pushed = await pipeline.pushEngineImage(engine, built.ref, target, {
      signal,
      onProgress: (p) => emit({ type: 'push:progress', ref: `${target.registry}/${target.repository}`, sentBytes: p.sentBytes, totalBytes: p.totalBytes }),
    })
    return { ...pushed, ...(built.imageId === undefined ? {} : { imageId: built.imageId }) }
  })
}
