import type { AnyProviderDefinition } from '../../contract/provider-types.js'
import { findRuntimeImage } from '../stages/find-runtime-image.js'
import type { PipelineServices } from '../stages/pipeline-services.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import { wheelsDigest } from '../stages/wheels-digest.js'

export interface AppendPlan {
  /** `engine` when append cannot run (local without a runtime registry). */
  builder: 'append' | 'engine'
  build: string
  push: string
  /** What append will send (or load into the local engine); an estimate until the data is converted. */
  transfer?: {
    bytes: number
    runtimeImage: 'found' | 'missing' | 'unknown'
    detail: string
  }
}

/**
 * What --builder append will do, read-only: the runtime key from the recipe, one manifest GET on
 * the runtime registry when it is known, and data sizes from the inputs. The provider's own
 * registry is not asked for (its push target may create an app or repository), so for push
 * providers without --runtime-registry the runtime image's presence is unknown until publish.
 */
export async function planAppend(spec: PublishSpec, definition: AnyProviderDefinition, hasRegistry: boolean, pipeline: PipelineServices, env: Readonly<Record<string, string | undefined>>): Promise<AppendPlan> {
  const dataBytes = spec.inputs.reduce((sum, i) => sum + i.bytes, 0)
  const data = `about ${dataBytes} bytes of data layers (the inputs' size; gzip makes the layers smaller)`
  if (!hasRegistry && spec.runtimeRegistry === undefined) {
    return {
      builder: 'engine',
      build: `build the image on the Docker engine: --builder append needs --runtime-registry (env DATAPUB_RUNTIME_REGISTRY) for ${definition.title}`,
      push: 'the engine that built the image runs it',
    }
  }
  const { runtimeRecipe } = await import('../../image/append/runtime-recipe.js')
  const { recipeInputFromSpec } = await import('../../image/recipe-input-from-spec.js')
  // Database names do not enter the runtime key (runtimeRecipe neutralises them).
  const { key } = runtimeRecipe(recipeInputFromSpec(spec, []), await wheelsDigest(spec.image.pipFindLinks))
  const location = spec.runtimeRegistry
  const where = location === undefined ? `the ${definition.title} registry, repository <repository>-runtime` : `${location.registry}/${location.repository}`
  const deliver = hasRegistry ? `push to ${definition.title} only the blobs its registry lacks (runtime layers mount from the runtime repository when on the same registry)` : 'load the appended image into the engine as a docker-archive (no build)'

  let found: Awaited<ReturnType<typeof findRuntimeImage>> | 'unknown' = 'unknown'
  let unreachable: string | undefined
  if (location !== undefined) {
    const { dockerConfigCredentials } = await import('../../registry/credentials/docker-config-credentials.js')
    const client = await pipeline.createRegistryClient({ registry: location.registry, credentials: dockerConfigCredentials({ env: env as NodeJS.ProcessEnv }) })
    try {
      found = await findRuntimeImage(client, location.repository, key)
    } catch (error) {
      unreachable = (error as Error).message
    } finally {
      client.close()
    }
  }
  const build =
    found === 'unknown' || found === undefined
      ? `append data layers onto the runtime image ${where}:${key}${found === undefined ? ' (missing: the engine builds and pushes it once first)' : unreachable === undefined ? ' (built once on the engine if the registry lacks it)' : ` (registry not reachable now: ${unreachable})`}`
      : `append data layers onto the runtime image ${where}:${key} (found: no engine build)`
  const runtimeBytes = found === 'unknown' || found === undefined ? 0 : found.config.size + found.layers.reduce((sum, l) => sum + l.size, 0)
  // The local engine receives the whole image in the archive; a registry only what it lacks.
  const bytes = dataBytes + (hasRegistry ? 0 : runtimeBytes)
  const runtimeImage = found === 'unknown' ? 'unknown' : found === undefined ? 'missing' : 'found'
  const detail = hasRegistry
    ? `${data}${runtimeImage === 'missing' ? ', plus the runtime image itself the first time' : ''}`
    : `${data}${runtimeImage === 'found' ? ` and ${runtimeBytes} bytes of runtime image in the archive` : ', plus the runtime image (size known once it is built)'}`
  return { builder: 'append', build, push: `${deliver}: ${detail}`, transfer: { bytes, runtimeImage, detail } }
}
