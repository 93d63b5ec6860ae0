import type { CommonOptionsInput } from './spec/common-options.js'
import type { ServiceOverrides } from '../di/create-container.js'
import type { ServiceContainer } from '../di/service-container.js'
import type { AnyProviderDefinition } from '../contract/provider-types.js'
import type { DeploymentResult } from '../contract/publish-event.js'

export interface PublishRequest {
  /** A provider id (`local`), plugin package name, path, or a defineProvider() value. */
  provider: string | AnyProviderDefinition
  files: string[]
  options?: Omit<CommonOptionsInput, 'files'>
  /** The provider's own options, validated by its schema. */
  providerOptions?: Record<string, unknown>
  signal?: AbortSignal
  cwd?: string
  /** Replace services (engine, http, logger, stage implementations): tests and embedding apps. */
  services?: ServiceOverrides
  container?: ServiceContainer
}

export type PublishOutcome =
  | { kind: 'deployed'; deployment: DeploymentResult }
  | { kind: 'generated'; dir: string; files: string[] }
