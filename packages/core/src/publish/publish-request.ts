import type { CommonOptionsInput } from './spec/common-options.js'
import type { ServiceOverrides } from '../di/create-container.js'
import type { ServiceContainer } from '../di/service-container.js'
import type { ProviderOptionsOf, ProviderRef } from '../contract/provider-types.js'
import type { DeploymentResult } from '../contract/publish-event.js'

export interface PublishRequest<P extends ProviderRef = ProviderRef> {
  /** A provider id (`local`), plugin package name, path, or a defineProvider() value. */
  provider: P
  files: string[]
  options?: Omit<CommonOptionsInput, 'files'>
  /** The provider's own options, validated by its schema; typed per provider (see ProviderOptionsMap), unknown keys refused. */
  providerOptions?: ProviderOptionsOf<P>
  signal?: AbortSignal
  cwd?: string
  /** Replace services (engine, http, logger, stage implementations): tests and embedding apps. */
  services?: ServiceOverrides
  container?: ServiceContainer
}

export type PublishOutcome =
  | { kind: 'deployed'; deployment: DeploymentResult }
  | { kind: 'generated'; dir: string; files: string[] }
