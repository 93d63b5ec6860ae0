import { DatapubError } from '../errors/datapub-error.js'
import { APT_PACKAGE, CONTROL_CHARS, PIP_REQUIREMENT, STATIC_MOUNT } from '../util/safe-names.js'
import type { RecipeInput } from './recipe-input.js'

/** A Docker image reference: [registry[:port]/]name[:tag][@sha256:...]; no spaces, quotes or `$`. */
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/
const PYTHON = /^python3(?:\.\d{1,2})?$/
/** Branch archives come from GitHub (datasette publish --branch); any https archive is accepted, plainly spelled. */
const ARCHIVE_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~%/+-]*\.(?:zip|tar\.gz)$/
const INDEX_URL = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~%/+-]*)?$/
/** A file name under /app: one path segment, not hidden, printable. */
const APP_FILE = /^[^/\\]+$/

/**
 * The recipe's last line of defence: collect validates too, but the recipe is public API and
 * must not trust its caller. Values that reach a Dockerfile instruction outside the JSON CMD
 * (images, pip and apt names, URLs) must match strict patterns; values that only reach the CMD
 * are shell-quoted there and need only be free of NUL (and of control characters when they are names).
 */
export function validateRecipeInput(input: RecipeInput): void {
  const refuse = (field: string, value: string, why: string, hint: string): never => {
    throw new DatapubError('INPUT_UNSAFE', `${field}: ${JSON.stringify(value)} ${why}`, { path: field, hint })
  }
  for (const field of ['baseImage', 'runtimeImage'] as const) {
    if (!IMAGE_REF.test(input[field])) refuse(field, input[field], 'is not an image reference', 'Use e.g. python:3.11-slim-bookworm or registry.example.com/team/python:3.11.')
  }
  if (input.runtime !== undefined && input.runtime !== 'minimal' && input.runtime !== 'base') {
    refuse('runtime', String(input.runtime), 'is not a runtime variant', 'Use minimal or base.')
  }
  if (!PYTHON.test(input.python)) refuse('python', input.python, 'is not a python3 interpreter name', 'Use python3 or python3.X.')
  if (!PIP_REQUIREMENT.test(input.datasette) && !ARCHIVE_URL.test(input.datasette)) {
    refuse('datasette', input.datasette, 'is neither a pip requirement nor an https archive URL', 'Use datasette, datasette==0.65.1 or a GitHub branch.')
  }
  input.install.forEach((pkg, i) => {
    if (!PIP_REQUIREMENT.test(pkg)) refuse(`install[${i}]`, pkg, 'is not a package name with an optional version', 'URLs and pip options are refused.')
  })
  for (const [list, values] of [['aptPackages', input.aptPackages], ['builderAptPackages', input.builderAptPackages]] as const) {
    values.forEach((pkg, i) => {
      if (!APT_PACKAGE.test(pkg)) refuse(`${list}[${i}]`, pkg, 'is not a Debian package name', 'Debian package names use lower-case letters, digits, + - and .')
    })
  }
  if (input.pipIndexUrl !== undefined) {
    if (/^https?:\/\/[^/]*@/.test(input.pipIndexUrl)) {
      refuse('pipIndexUrl', input.pipIndexUrl.replace(/\/\/[^/]*@/, '//***@'), 'carries credentials, which would be written into the Dockerfile', 'Use a credential-free mirror URL, or set PIP_INDEX_URL as a build argument instead.')
    }
    if (!INDEX_URL.test(input.pipIndexUrl)) refuse('pipIndexUrl', input.pipIndexUrl, 'is not a plain http(s) URL', 'Use e.g. https://pypi.example.com/simple.')
  }
  input.databases.forEach((file, i) => {
    if (!APP_FILE.test(file) || CONTROL_CHARS.test(file) || file.startsWith('.')) {
      refuse(`databases[${i}]`, file, 'is not a plain file name', 'Database names are single path segments without control characters and not starting with a dot.')
    }
  })
  if (new Set(input.databases).size !== input.databases.length) refuse('databases', input.databases.join(','), 'names a database twice', 'Give each database a distinct name.')
  input.staticMounts.forEach((mount, i) => {
    if (!STATIC_MOUNT.test(mount) || mount === '..') refuse(`staticMounts[${i}]`, mount, 'is not a plain mount name', 'The mount is one path segment of letters, digits, . _ -.')
  })
  if (input.versionNote?.includes('\u0000')) refuse('versionNote', input.versionNote, 'contains a NUL byte', 'Remove the NUL character.')
  for (const [list, values] of [['extraOptions', input.extraOptions], ['serveOptions', input.serveOptions]] as const) {
    values.forEach((token, i) => {
      if (CONTROL_CHARS.test(token)) refuse(`${list}[${i}]`, token, 'contains control characters', 'Extra options are plain `datasette serve` arguments.')
    })
  }
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new DatapubError('CONFIG_INVALID', `port: ${input.port} is not a TCP port`, { path: 'port', hint: 'Use a port between 1 and 65535.' })
  }
}
