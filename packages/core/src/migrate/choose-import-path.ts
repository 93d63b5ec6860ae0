import type { ArtifactKind, DeploymentDescriptor } from '../contract/provider-types.js'

/** How an import gets the deployment onto the target, cheapest first. */
export type ImportPath = 'reuse-engine' | 'push-engine' | 'copy' | 'load' | 'rebuild' | 'rebuild-context'

export interface ImportChoice {
  path: ImportPath
  reason: string
}

export interface ImportCapabilities {
  /** What the target deploys. */
  accepts: ArtifactKind
  /** The target names a registry to push to (otherwise it runs images from its engine). */
  hasPushTarget: boolean
  /** The recorded inputs can be had: a local directory or a provider download. */
  sourcesAvailable: boolean
  /** The source provider runs engine images, so its export names an engine image (a tag or image id), not a registry one. */
  sourceRunsEngineImages: boolean
}

/** Reuses the image whenever the target can take one; rebuilds from recorded inputs otherwise. */
export function chooseImportPath(descriptor: DeploymentDescriptor, can: ImportCapabilities): ImportChoice | { path: undefined; reason: string } {
  const image = descriptor.image
  const onEngine = image !== undefined && can.sourceRunsEngineImages
  if (can.accepts === 'image' && image !== undefined) {
    if (onEngine) return can.hasPushTarget ? { path: 'push-engine', reason: `push the engine image ${short(image.digest ?? image.ref)} to the target registry (no rebuild)` } : { path: 'reuse-engine', reason: 'run the same engine image (no rebuild)' }
    return can.hasPushTarget
      ? { path: 'copy', reason: `copy ${image.ref} registry to registry (no rebuild)` }
      : { path: 'load', reason: `load ${image.ref} from its registry into the engine (no rebuild)` }
  }
  if (can.accepts === 'bundle') return { path: undefined, reason: 'the target deploys a file bundle, which cannot be made from an image or a Docker build context' }
  if (can.sourcesAvailable) {
    return can.accepts === 'image'
      ? { path: 'rebuild', reason: `rebuild the image from the ${descriptor.sources?.length ?? 'given'} recorded input file(s)` }
      : { path: 'rebuild-context', reason: 'hand the recorded build context to the target, which builds it' }
  }
  const what = can.accepts === 'image' ? 'no image in a registry and no recorded input files' : 'no recorded input files for the target to build'
  return { path: undefined, reason: `the export has ${what}` }
}

function short(ref: string): string {
  return ref.startsWith('sha256:') ? ref.slice(0, 19) : ref
}
