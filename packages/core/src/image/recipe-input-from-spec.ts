import type { PublishSpec } from '../contract/publish-spec.js'
import type { RecipeInput } from './recipe-input.js'

/** Compilers for plugins without wheels; Datasette itself and the stand-in need none. */
export const DEFAULT_BUILDER_APT_PACKAGES = ['gcc', 'libc6-dev'] as const

/** The recipe's view of a publish: in-image names only, never host paths or secrets. */
export function recipeInputFromSpec(spec: PublishSpec, databaseFiles: string[], serveOptions: string[] = []): RecipeInput {
  const builderApt = spec.image.builderAptPackages ?? (spec.install.length > 0 ? [...DEFAULT_BUILDER_APT_PACKAGES] : [])
  return {
    baseImage: spec.image.baseImage,
    runtimeImage: spec.image.runtimeImage,
    ...(spec.image.runtime === undefined ? {} : { runtime: spec.image.runtime }),
    ...(spec.image.runAsRoot === true ? { runAsRoot: true } : {}),
    python: spec.image.pythonVersion === undefined ? 'python3' : `python${spec.image.pythonVersion}`,
    datasette: spec.datasette,
    install: spec.install,
    ...(spec.image.pipIndexUrl === undefined ? {} : { pipIndexUrl: spec.image.pipIndexUrl }),
    pipFindLinks: spec.image.pipFindLinks !== undefined,
    builderAptPackages: builderApt,
    aptPackages: spec.image.aptPackages,
    spatialite: spec.image.spatialite,
    databases: databaseFiles,
    metadata: Object.keys(spec.metadata).length > 0,
    templates: spec.templateDir !== undefined,
    plugins: spec.pluginsDir !== undefined,
    staticMounts: spec.staticMounts.map((s) => s.mount),
    ...(spec.versionNote === undefined ? {} : { versionNote: spec.versionNote }),
    extraOptions: spec.extraOptions,
    serveOptions,
    port: spec.port,
  }
}
