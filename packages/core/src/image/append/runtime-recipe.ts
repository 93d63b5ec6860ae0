import { createHash } from 'node:crypto'
import { IMAGE_PATHS, type RecipeInput } from '../recipe-input.js'
import { renderDockerfile } from '../render-dockerfile.js'

export interface RuntimeRecipe {
  /** The engine recipe's Dockerfile without the data: what the append builder starts from. */
  dockerfile: string
  /** sha256 (hex, 16 chars) of that Dockerfile plus the wheels' identity: the runtime image's tag. */
  key: string
}

/**
 * The runtime image is the recipe's final stage minus `COPY app/ /app/`, built once by the
 * engine and pushed; its tag is a hash of everything that shapes it (bases, Datasette
 * requirement, plugins, apt packages, pip sources), so a data-only change reuses it. Data-dependent
 * parts (database names, metadata, CMD) are neutralised before hashing, because the append
 * builder writes them itself.
 */
export function runtimeRecipe(input: RecipeInput, wheelsDigest = ''): RuntimeRecipe {
  const neutral: RecipeInput = {
    ...input,
    databases: [],
    metadata: false,
    templates: false,
    plugins: false,
    staticMounts: [],
    extraOptions: [],
    serveOptions: [],
    port: 8001,
  }
  delete neutral.versionNote
  const copyApp = `COPY ${IMAGE_PATHS.contextApp}/ ${IMAGE_PATHS.app}/`
  const dockerfile = renderDockerfile(neutral)
    .split('\n')
    .filter((line) => line !== copyApp)
    .join('\n')
  const key = createHash('sha256').update(dockerfile).update('\0').update(wheelsDigest).digest('hex').slice(0, 16)
  return { dockerfile, key }
}
