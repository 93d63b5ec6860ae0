import { DatapubError } from '../errors/datapub-error.js'

export interface ImageReference {
  /** Host and optional port, e.g. `registry.heroku.com` or `127.0.0.1:5000`. */
  registry: string
  repository: string
  tag?: string
  digest?: string
}

const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

/**
 * Parses `host[:port]/repo[:tag][@digest]` with Docker's rules (a first component with a dot, a
 * colon or `localhost` is a registry; otherwise Docker Hub). Names are validated here because they
 * end up in URL paths.
 */
export function parseImageReference(input: string): ImageReference {
  let rest = input.trim()
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw invalid(input, 'the digest must be sha256:<64 hex>')
  }
  let tag: string | undefined
  const slash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > slash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) throw invalid(input, 'the tag has characters a registry refuses')
  }
  const parts = rest.split('/')
  let registry = 'docker.io'
  const first = parts[0] ?? ''
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first
    parts.shift()
  }
  let repository = parts.join('/')
  if (registry === 'docker.io' && parts.length === 1) repository = `library/${repository}`
  if (!REPOSITORY.test(repository)) throw invalid(input, 'the repository name must be lowercase letters, digits and separators')
  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) }
}

export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag)
}

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest)
}

function invalid(input: string, why: string): DatapubError {
  return new DatapubError('CONFIG_INVALID', `Image reference "${input}" is invalid: ${why}.`, {
    fault: 'user',
    hint: 'Use host[:port]/repository[:tag], e.g. registry.heroku.com/my-app/web.',
  })
}
