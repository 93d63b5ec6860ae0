import { DatapubError } from '../../errors/datapub-error.js'
import type { CommonOptions } from './common-options.js'
import type { PublishSpec } from '../../contract/publish-spec.js'

// A registry host needs a dot, a port or to be localhost, as in Docker references; otherwise
// `library/x` would be taken for a host named `library`.
const HOST = String.raw`(?:localhost|\[[0-9a-fA-F:]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+(?=:))(?::\d{1,5})?`
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
const RUNTIME_REGISTRY = new RegExp(`^(${HOST})/(${COMPONENT}(?:/${COMPONENT})*)$`)

/**
 * Chooses the builder (option, then DATAPUB_BUILDER, then engine) and parses where the append
 * builder keeps runtime images. Env values are checked like options, so a typo in a CI variable
 * fails with its name rather than silently building with the engine.
 */
export function resolveBuilder(o: Pick<CommonOptions, 'builder' | 'runtimeRegistry'>, env: Readonly<Record<string, string | undefined>>): Pick<PublishSpec, 'builder' | 'runtimeRegistry'> {
  const fromEnv = env.DATAPUB_BUILDER?.trim()
  if (o.builder === undefined && fromEnv !== undefined && fromEnv !== '' && fromEnv !== 'engine' && fromEnv !== 'append') {
    throw new DatapubError('CONFIG_INVALID', `DATAPUB_BUILDER: "${JSON.stringify(fromEnv).slice(1, -1)}" is not a builder`, { path: 'builder', hint: 'Set DATAPUB_BUILDER to engine or append, or pass --builder.' })
  }
  const builder = o.builder ?? (fromEnv === 'append' ? 'append' : 'engine')
  const given = o.runtimeRegistry ?? (env.DATAPUB_RUNTIME_REGISTRY?.trim() || undefined)
  if (given === undefined) return { builder }
  const field = o.runtimeRegistry === undefined ? 'DATAPUB_RUNTIME_REGISTRY' : 'runtimeRegistry'
  const match = RUNTIME_REGISTRY.exec(given)
  if (match === null) {
    throw new DatapubError('CONFIG_INVALID', `${field}: "${JSON.stringify(given).slice(1, -1)}" is not HOST[:PORT]/REPOSITORY`, {
      path: 'runtimeRegistry',
      hint: 'Name a registry and a repository without a tag, e.g. 127.0.0.1:5000/datapub/runtime or ghcr.io/me/datapub-runtime; the tag is derived from the recipe.',
    })
  }
  return { builder, runtimeRegistry: { registry: match[1]!, repository: match[2]! } }
}
