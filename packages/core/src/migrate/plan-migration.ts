import type { AnyProviderDefinition, ArtifactKind, DeploymentDescriptor } from '../contract/provider-types.js'
import { chooseImportPath } from './choose-import-path.js'

export type MigrationStepName = 'export' | 'secrets' | 'import' | 'verify' | 'switch' | 'destroy-source'

export interface MigrationPlanStep {
  step: MigrationStepName
  /** What the step will do, or why it will not run. */
  action: string
  skip?: boolean
}

export interface MigrationPlan {
  from: { provider: string; id: string }
  to: { provider: string; name: string }
  steps: MigrationPlanStep[]
  /** Reasons the migration cannot run as planned; empty means --apply may proceed. */
  problems: string[]
  warnings: string[]
}

export interface PlanMigrationInput {
  descriptor: DeploymentDescriptor
  target: AnyProviderDefinition
  accepts: ArtifactKind
  hasPushTarget: boolean
  /** The source provider runs engine images (see ProviderCapabilities). */
  sourceRunsEngineImages: boolean
  name: string
  sourcesAvailable: boolean
  /** NAMES whose values could not be found (from a dry resolve). */
  missingSecrets: string[]
  switchTraffic: boolean
  canSwitch: boolean
  destroySource: boolean
}

/** Every step `--apply` would take, and the target's limits checked against what the export says. */
export function planMigration(input: PlanMigrationInput): MigrationPlan {
  const { descriptor, target } = input
  const problems: string[] = []
  const warnings: string[] = []
  const rule = target.limits.namePattern
  if (rule !== undefined && !new RegExp(rule.value).test(input.name)) problems.push(`name "${input.name}" does not match ${target.title}'s rule ${rule.value} (${rule.source}); pass --name`)
  const budget = target.limits.imageBytes?.value
  const size = (descriptor.image as { bytes?: number } | undefined)?.bytes
  if (budget !== undefined && size !== undefined && size > budget) problems.push(`the image is ${mib(size)}, over ${target.title}'s ${mib(budget)} limit (${target.limits.imageBytes!.source})`)
  else if (budget !== undefined && size === undefined) warnings.push(`${target.title} limits images to ${mib(budget)}; the export does not say the image size, so the limit is checked when the image is built`)
  const memory = target.limits.memoryBytes?.value
  const wanted = bytesOf(descriptor.resources?.memory)
  if (memory !== undefined && wanted !== undefined && wanted > memory) problems.push(`the source runs with ${descriptor.resources!.memory} of memory, over ${target.title}'s ${mib(memory)}`)
  if (input.missingSecrets.length > 0) problems.push(`no value for ${input.missingSecrets.join(', ')} (set DATAPUB_SECRET_<NAME> or pass --secrets-file)`)
  const choice = chooseImportPath(descriptor, { accepts: input.accepts, hasPushTarget: input.hasPushTarget, sourcesAvailable: input.sourcesAvailable, sourceRunsEngineImages: input.sourceRunsEngineImages })
  if (choice.path === undefined) problems.push(`cannot import: ${choice.reason}; pass --sources-dir with the original build context`)
  const urlNote = descriptor.url === undefined ? 'the source has no URL, so there is nothing to compare against' : `compare ${descriptor.url} with the new URL: inspect hash and row count of every table`
  const steps: MigrationPlanStep[] = [
    { step: 'export', action: `export ${descriptor.provider} deployment ${descriptor.id} as a descriptor (read only)` },
    { step: 'secrets', action: descriptor.envNames.length === 0 ? 'no environment variables to supply' : `supply ${descriptor.envNames.join(', ')} from the environment or --secrets-file` },
    { step: 'import', action: choice.path === undefined ? choice.reason : `${choice.reason}, then deploy ${input.name} on ${target.title}` },
    { step: 'verify', action: urlNote, ...(descriptor.url === undefined ? { skip: true } : {}) },
    input.switchTraffic
      ? input.canSwitch
        ? { step: 'switch', action: `move ${(descriptor.aliases ?? []).join(', ') || 'the aliases'} to the new deployment` }
        : { step: 'switch', action: `${target.title} has no alias or traffic operation datapub can drive: point DNS at the new URL yourself`, skip: true }
      : { step: 'switch', action: 'not requested (--switch)', skip: true },
    input.destroySource ? { step: 'destroy-source', action: `destroy ${descriptor.provider} deployment ${descriptor.id} after verification passes` } : { step: 'destroy-source', action: 'the source is left untouched (--destroy-source to remove it after verification)', skip: true },
  ]
  if (input.destroySource && descriptor.url === undefined) problems.push('--destroy-source needs verification, and the source has no URL to verify against')
  return { from: { provider: descriptor.provider, id: descriptor.id }, to: { provider: target.name, name: input.name }, steps, problems, warnings }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

function bytesOf(size: string | undefined): number | undefined {
  const m = size === undefined ? null : /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(size)
  if (m === null) return undefined
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }[m[2] as 'Ki'] ?? 1
  return Number(m[1]) * unit
}
