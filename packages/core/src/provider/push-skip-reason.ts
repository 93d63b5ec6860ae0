import type { AnyProviderDefinition } from '../contract/provider-types.js'

/**
 * Why an engine-built image is not pushed, or undefined when it is: the one rule the plan and
 * the runner share. A provider that runs engine images says so; one that names no push target
 * has nowhere to push to.
 */
export function pushSkipReason(definition: AnyProviderDefinition, hasPushTarget: boolean): string | undefined {
  if (definition.capabilities?.runsEngineImages === true) return 'the engine that built the image runs it'
  if (!hasPushTarget) return `${definition.title} runs images from the engine that built them`
  return undefined
}
