import type { Emit } from '../contract/publish-event.js'
import type { Artifact, ImageArtifact } from '../contract/provider-types.js'
import type { ContainerEngine } from '../contract/container-engine.js'
import type { DeploymentResult } from '../contract/publish-event.js'
import { DatapubError } from '../errors/datapub-error.js'
import type { BuildContext } from '../image/build-context.js'
import type { ServiceContainer } from '../di/service-container.js'
import type { PublishRequest } from './publish-request.js'
import type { AppendedBuild } from './stages/append-build.js'
import type { Collected } from './stages/collect-publish.js'
import type { PipelineServices } from './stages/pipeline-services.js'
import type { PreparedDatabases } from './stages/prepare-databases.js'
import type { SkipFacts } from './stages/skip-reason.js'

/** The one typed state a publish's stages read and fill, in stage order. */
export interface PublishContext {
  request: PublishRequest
  services: ServiceContainer
  pipeline: PipelineServices
  emit: Emit
  signal: AbortSignal
  /** This publish's temporary folder, removed whatever happens. */
  work: string
  /** Run when the publish ends (registry clients to close). */
  cleanups: Array<() => void | Promise<void>>
  collected?: Collected
  /** What decides each skip (see skipReason); set by collect, completed before build. */
  facts?: SkipFacts
  /** Serve options the provider's recipe hook adds (a writable database on a volume). */
  serveOptions?: string[]
  /** Where --builder append finds the runtime image. */
  appendStore?: 'registry' | 'engine'
  prepared?: PreparedDatabases
  context?: BuildContext
  engine?: ContainerEngine
  built?: ImageArtifact
  appended?: AppendedBuild
  artifact?: Artifact
  deployment?: DeploymentResult
}

/** A field an earlier stage must have set; its absence is a bug in the stage order, never the user's. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new DatapubError('INTERNAL', `The publish pipeline reached a stage before ${what} was ready.`)
  return value
}
