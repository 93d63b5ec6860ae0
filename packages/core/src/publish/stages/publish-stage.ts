import type { Stage } from '../../contract/publish-event.js'
import type { AnyProviderDefinition, ArtifactKind } from '../../contract/provider-types.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import type { PublishContext } from '../publish-context.js'
import type { AppendPlan } from '../plan/plan-append.js'

/** What a stage's plan() describes from: everything known before anything runs. */
export interface PlanInput {
  spec: PublishSpec
  definition: AnyProviderDefinition
  accepts: ArtifactKind
  /** What --builder append will do, when it was asked for. */
  append: AppendPlan | undefined
  /** CSV/TSV inputs, and the databases the data stage makes. */
  tabular: number
  databases: string[]
}

/**
 * One step of the pipeline as a value. Whether it runs is not its own business: skipReason
 * decides that for the plan and the run alike.
 */
export interface PublishStage {
  name: Stage
  /** What the stage will do, for planPublish. */
  plan(input: PlanInput): string
  /** The stage:start title. */
  title(ctx: PublishContext): string
  /** Facts only running can tell (is an engine at hand?), read before the skip is decided. */
  prepare?(ctx: PublishContext): Promise<void>
  run(ctx: PublishContext): Promise<void>
}
