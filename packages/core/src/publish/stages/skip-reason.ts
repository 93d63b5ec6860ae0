import type { Stage } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, ArtifactKind } from '../../contract/provider-types.js'
import { pushSkipReason } from '../../provider/push-skip-reason.js'

/** What decides whether a stage runs, known to the plan and to the runner alike. */
export interface SkipFacts {
  definition: AnyProviderDefinition
  accepts: ArtifactKind
  /** --generate-dir: stop after the context. */
  generate: boolean
  /** --verify (default on). */
  verify: boolean
  /** The provider names a registry to push to. */
  pushes: boolean
  /** --builder append runs (an image provider with a registry of its own or --runtime-registry). */
  append: boolean
  /** For a context provider with size limits: no engine is at hand to build locally and check them (the runner finds out; the plan assumes one). */
  noEngine?: boolean
}

/**
 * Why `stage` does not run for this publish, or undefined when it does: the one place each skip
 * is decided, so `planPublish` and `publish` cannot drift apart.
 */
export function skipReason(stage: Stage, facts: SkipFacts): string | undefined {
  const { definition, accepts } = facts
  if (facts.generate && stage !== 'collect' && stage !== 'data' && stage !== 'context') return '--generate-dir writes the context and stops'
  const sized = definition.limits.imageBytes !== undefined || definition.limits.fileBytes !== undefined
  const localBuild = accepts === 'image' || (accepts === 'context' && sized && facts.noEngine !== true)
  switch (stage) {
    case 'build':
      return localBuild ? undefined : `${definition.title} builds from the context itself`
    case 'analyze':
      if (!localBuild) return 'no local image to analyse'
      if (facts.append) return 'the append builder adds data layers only; the runtime image was analysed when the engine built it'
      return sized ? undefined : `${definition.title} sets no size limits`
    case 'push':
      if (accepts !== 'image') return 'nothing to push'
      // Append to an engine-run provider loads the image into its engine: that is its push.
      return facts.append ? undefined : pushSkipReason(definition, facts.pushes)
    case 'verify':
      return facts.verify ? undefined : '--no-verify'
    default:
      return undefined
  }
}
