import { randomBytes } from 'node:crypto'
import { lstat, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { DatapubError } from '../../errors/datapub-error.js'
import { registerSecret } from '../../http/redact.js'
import { commonOptionsSchema, type CommonOptionsInput } from './common-options.js'
import { parseOptions } from './parse-options.js'
import { parseMetadata } from './parse-metadata.js'
import { deepMerge } from '../../util/deep-merge.js'
import type { PublishInput, PublishSpec } from '../../contract/publish-spec.js'
import { resolveBuilder } from './resolve-builder.js'
import { APT_PACKAGE, BRANCH, CONTROL_CHARS, PIP_REQUIREMENT, PLUGIN_NAME, SETTING_NAME, STATIC_MOUNT, VERSION, pluginSecretEnvName } from '../../util/safe-names.js'

export interface ResolveSpecOptions {
  cwd?: string
  env?: Readonly<Record<string, string | undefined>>
  providerOptions?: Record<string, unknown>
}

/** Real-world defaults; DATAPUB_* env overrides them for air-gapped engines and tests. */
export const DEFAULT_BASE_IMAGE = 'python:3.11-slim-bookworm'
export const DEFAULT_RUNTIME_IMAGE = 'python:3.11-slim-bookworm'

/** Deploy-time variables a plugin secret may not set: they steer the runtime, the loader or Datasette itself. */
const RESERVED_ENV = /^(?:DATASETTE_SECRET|PORT|PATH|HOME|SQLITE_EXTENSIONS|LD_.*|PYTHON.*|PIP_.*)$/

const SQLITE_EXT = new Set(['.db', '.sqlite', '.sqlite3'])
const SQLITE_MAGIC = 'SQLite format 3\u0000'

/**
 * The collect stage: every input validated into one normalised spec before any work is done.
 * Bad input is a coded error naming the field by dot-path and what to fix.
 */
export async function resolvePublishSpec(input: CommonOptionsInput, options: ResolveSpecOptions = {}): Promise<PublishSpec> {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const o = parseOptions(commonOptionsSchema, input, 'publish options')
  const fail = (code: 'CONFIG_INVALID' | 'INPUT_UNSAFE' | 'INPUT_NOT_FOUND', field: string, message: string, hint: string): never => {
    throw new DatapubError(code, `${field}: ${message}`, { path: field, hint })
  }

  const inputs: PublishInput[] = []
  for (const [i, given] of o.files.entries()) inputs.push(await resolveInput(given, `files[${i}]`, cwd))

  const staticMounts: PublishSpec['staticMounts'] = []
  const seenMounts = new Set<string>()
  for (const [i, entry] of o.static.entries()) {
    const field = `static[${i}]`
    const at = entry.indexOf(':')
    const mount = at > 0 ? entry.slice(0, at) : ''
    if (at <= 0 || !STATIC_MOUNT.test(mount) || mount === '-' || mount === '..') fail('CONFIG_INVALID', field, `"${printable(entry)}" is not MOUNT:DIRECTORY with a plain mount name`, 'Use e.g. --static assets:./static; the mount is one path segment of letters, digits, . _ -.')
    if (seenMounts.has(mount)) fail('CONFIG_INVALID', field, `mount "${mount}" is given twice`, 'Give each static mount a distinct name.')
    seenMounts.add(mount)
    staticMounts.push({ mount, dir: await resolveDir(entry.slice(at + 1), field, cwd) })
  }

  for (const [i, pkg] of o.install.entries()) {
    if (!PIP_REQUIREMENT.test(pkg)) fail('INPUT_UNSAFE', `install[${i}]`, `"${printable(pkg)}" is not a package name with an optional version`, 'Give a PyPI name such as datasette-vega or datasette-vega==0.6; URLs and pip options are refused.')
  }
  for (const [i, pkg] of (o.buildAptGetInstall ?? []).entries()) {
    if (!APT_PACKAGE.test(pkg)) fail('INPUT_UNSAFE', `buildAptGetInstall[${i}]`, `"${printable(pkg)}" is not a Debian package name`, 'Debian package names use lower-case letters, digits, + - and .')
  }
  for (const [i, pkg] of o.aptGetInstall.entries()) {
    if (!APT_PACKAGE.test(pkg)) fail('INPUT_UNSAFE', `aptGetInstall[${i}]`, `"${printable(pkg)}" is not a Debian package name`, 'Debian package names use lower-case letters, digits, + - and .')
  }
  // A `.` or `..` segment would walk the archive URL out of simonw/datasette into another repository.
  if (o.branch !== undefined && (!BRANCH.test(o.branch) || o.branch.split('/').some((part) => part === '' || part === '.' || part === '..'))) {
    fail('INPUT_UNSAFE', 'branch', `"${printable(o.branch)}" is not a branch name`, 'Use a git branch or tag name (no empty, . or .. path segments).')
  }
  if (o.datasetteVersion !== undefined && !VERSION.test(o.datasetteVersion)) fail('CONFIG_INVALID', 'datasetteVersion', `"${printable(o.datasetteVersion)}" is not a version`, 'Use a version such as 0.65.1.')
  if (o.branch !== undefined && o.datasetteVersion !== undefined) fail('CONFIG_INVALID', 'branch', 'give either a branch or a Datasette version, not both', 'Drop one of --branch and --datasette-version.')

  const extraOptions = (o.extraOptions ?? '').split(/\s+/).filter((token) => token !== '')
  for (const [i, token] of extraOptions.entries()) {
    if (CONTROL_CHARS.test(token)) fail('INPUT_UNSAFE', `extraOptions[${i}]`, 'contains control characters', 'Extra options are plain `datasette serve` arguments.')
  }

  const secret = o.secret ?? env.DATASETTE_PUBLISH_SECRET ?? randomBytes(32).toString('hex')
  registerSecret(secret)
  const deployEnv: Record<string, string> = { DATASETTE_SECRET: secret }
  const pluginMetadata: Record<string, Record<string, unknown>> = {}
  for (const [i, [plugin, setting, value]] of o.pluginSecret.entries()) {
    const field = `pluginSecret[${i}]`
    if (!PLUGIN_NAME.test(plugin)) fail('INPUT_UNSAFE', `${field}[0]`, `plugin name "${printable(plugin)}" is not valid`, 'Plugin names use letters, digits, - and _.')
    if (!SETTING_NAME.test(setting)) fail('INPUT_UNSAFE', `${field}[1]`, `setting "${printable(setting)}" is not valid`, 'Setting names use letters, digits, - and _.')
    if (value.includes('\u0000')) fail('INPUT_UNSAFE', `${field}[2]`, 'the value contains a NUL byte', 'Secrets are passed as environment variables, which cannot hold NUL.')
    registerSecret(value)
    const envName = pluginSecretEnvName(plugin, setting)
    if (RESERVED_ENV.test(envName)) {
      fail('INPUT_UNSAFE', field, `plugin secret ${printable(plugin)} ${printable(setting)} would set ${envName}, which controls the server itself`, 'Plugin secrets become PLUGIN_SETTING environment variables; choose names that do not spell DATASETTE_SECRET, PORT, PATH, LD_* or PYTHON*.')
    }
    if (envName in deployEnv) fail('CONFIG_INVALID', field, `plugin secret ${printable(plugin)} ${printable(setting)} maps to ${envName}, already set by an earlier one`, 'Give each plugin secret a distinct plugin and setting name.')
    deployEnv[envName] = value
    pluginMetadata[plugin] = { ...pluginMetadata[plugin], [setting]: { $env: envName } }
  }

  let metadata: Record<string, unknown> = {}
  if (o.metadata !== undefined) {
    const file = await resolveFile(o.metadata, 'metadata', cwd)
    metadata = parseMetadata(decodeMetadata(await readFile(file), o.metadata), o.metadata)
  }
  const extra: Record<string, unknown> = {}
  for (const key of ['title', 'license', 'source', 'about'] as const) if (o[key] !== undefined && o[key] !== '') extra[key] = o[key]
  if (o.licenseUrl !== undefined) extra.license_url = o.licenseUrl
  if (o.sourceUrl !== undefined) extra.source_url = o.sourceUrl
  if (o.aboutUrl !== undefined) extra.about_url = o.aboutUrl
  if (Object.keys(pluginMetadata).length > 0) extra.plugins = pluginMetadata
  metadata = deepMerge(metadata, extra)

  const name = o.name ?? 'datasette'
  const datasette = o.branch !== undefined ? `https://github.com/simonw/datasette/archive/${o.branch}.zip` : o.datasetteVersion !== undefined ? `datasette==${o.datasetteVersion}` : 'datasette'

  if (o.generateDir !== undefined) {
    checkPathText(o.generateDir, 'generateDir')
    await assertLinksStayInside(o.generateDir, 'generateDir', cwd)
  }

  const pipFindLinks = o.pipFindLinks ?? nonEmpty(env.DATAPUB_PIP_FIND_LINKS)
  const pipIndexUrl = o.pipIndexUrl ?? nonEmpty(env.DATAPUB_PIP_INDEX_URL)
  return {
    name,
    inputs,
    databaseName: o.databaseName,
    metadata,
    extraOptions,
    datasette,
    ...(o.templateDir === undefined ? {} : { templateDir: await resolveDir(o.templateDir, 'templateDir', cwd) }),
    ...(o.pluginsDir === undefined ? {} : { pluginsDir: await resolveDir(o.pluginsDir, 'pluginsDir', cwd) }),
    staticMounts,
    install: o.install,
    env: deployEnv,
    ...(o.versionNote === undefined ? {} : { versionNote: o.versionNote }),
    image: {
      baseImage: o.baseImage ?? (o.pythonVersion ? pythonImage(o.pythonVersion) : nonEmpty(env.DATAPUB_BASE_IMAGE)) ?? DEFAULT_BASE_IMAGE,
      runtimeImage: o.runtimeImage ?? (o.pythonVersion ? pythonImage(o.pythonVersion) : nonEmpty(env.DATAPUB_RUNTIME_IMAGE)) ?? DEFAULT_RUNTIME_IMAGE,
      // Naming a runtime image, by flag or by DATAPUB_RUNTIME_IMAGE, means the user wants that base.
      runtime: o.runtime ?? (o.runtimeImage !== undefined || nonEmpty(env.DATAPUB_RUNTIME_IMAGE) !== undefined ? 'base' : 'minimal'),
      ...(o.pythonVersion === undefined ? {} : { pythonVersion: o.pythonVersion }),
      ...(o.buildAptGetInstall === undefined ? {} : { builderAptPackages: o.buildAptGetInstall }),
      ...(pipIndexUrl === undefined ? {} : { pipIndexUrl }),
      ...(pipFindLinks === undefined ? {} : { pipFindLinks: await resolveDir(pipFindLinks, 'pipFindLinks', cwd) }),
      aptPackages: o.aptGetInstall,
      spatialite: o.spatialite,
    },
    port: o.port,
    ...(o.generateDir === undefined ? {} : { generateDir: path.resolve(cwd, o.generateDir) }),
    ...resolveBuilder(o, env),
    showFiles: o.showFiles,
    csv: o.csv as Record<string, unknown>,
    verify: o.verify,
    verifyTimeoutMs: o.verifyTimeout * 1000,
    providerOptions: options.providerOptions ?? {},
  }
}

const pythonImage = (version: string) => `python:${version}-slim-bookworm`

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

/** Names shown back in messages lose control characters, so an error cannot forge terminal lines. */
export function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1)
}

function checkPathText(given: string, field: string): void {
  if (CONTROL_CHARS.test(given)) {
    throw new DatapubError('INPUT_UNSAFE', `${field}: the path "${printable(given)}" contains control characters (NUL, newline...)`, {
      path: field,
      hint: 'Rename the file so that its name holds printable characters only.',
    })
  }
}

async function statOrFail(given: string, field: string, cwd: string) {
  checkPathText(given, field)
  const absolute = path.resolve(cwd, given)
  let found
  try {
    const info = await stat(absolute)
    found = { absolute: await realpath(absolute), info, link: (await lstat(absolute)).isSymbolicLink() }
  } catch {
    throw new DatapubError('INPUT_NOT_FOUND', `${field}: "${printable(given)}" does not exist or cannot be read`, {
      path: field,
      hint: `Check the path; it is resolved from ${cwd}.`,
    })
  }
  await assertLinksStayInside(given, field, cwd)
  return found
}

/**
 * The symlink policy. A path the user typed is honoured as typed, `../` and absolute paths
 * included: naming a file is consent to publish it. A symbolic link met on the way is not: a
 * link planted in a shared folder (or an upload) must not pull files from elsewhere into a
 * public image. Each link among the components the user typed (walked from cwd for a relative
 * path, from / for an absolute one) must resolve inside the folder that holds the link or
 * inside cwd. Components that do not exist yet (a new --generate-dir) are skipped.
 */
async function assertLinksStayInside(given: string, field: string, cwd: string): Promise<void> {
  const realCwd = await realpath(cwd).catch(() => path.resolve(cwd))
  let at = path.isAbsolute(given) ? path.parse(given).root : cwd
  for (const part of given.split(path.sep === '\\' ? /[\\/]+/ : /\/+/).filter((p) => p !== '')) {
    at = path.join(at, part)
    const info = await lstat(at).catch(() => undefined)
    if (info === undefined) return
    if (!info.isSymbolicLink()) continue
    const target = await realpath(at).catch(() => undefined)
    const folder = await realpath(path.dirname(at)).catch(() => path.dirname(at))
    if (target !== undefined && (isInside(target, folder) || isInside(target, realCwd))) continue
    throw new DatapubError('INPUT_UNSAFE', `${field}: "${printable(given)}" goes through the symbolic link ${printable(path.relative(cwd, at) || at)}, which points outside its folder and the working directory`, {
      path: field,
      hint: 'Name the real file or folder instead of the link; datapub follows links only within their own folder or the working directory.',
    })
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

async function resolveFile(given: string, field: string, cwd: string): Promise<string> {
  const { absolute, info } = await statOrFail(given, field, cwd)
  if (!info.isFile()) throw new DatapubError('INPUT_UNSUPPORTED', `${field}: "${printable(given)}" is not a regular file`, { path: field, hint: 'Name a file.' })
  return absolute
}

async function resolveDir(given: string, field: string, cwd: string): Promise<string> {
  const { absolute, info } = await statOrFail(given, field, cwd)
  if (!info.isDirectory()) throw new DatapubError('INPUT_UNSUPPORTED', `${field}: "${printable(given)}" is not a directory`, { path: field, hint: 'Name a directory.' })
  return absolute
}

async function resolveInput(given: string, field: string, cwd: string): Promise<PublishInput> {
  const { absolute, info } = await statOrFail(given, field, cwd)
  if (info.isDirectory()) {
    throw new DatapubError('INPUT_UNSUPPORTED', `${field}: "${printable(given)}" is a directory`, { path: field, hint: 'Name the CSV, TSV or SQLite files inside it.' })
  }
  if (!info.isFile()) throw new DatapubError('INPUT_UNSUPPORTED', `${field}: "${printable(given)}" is not a regular file`, { path: field, hint: 'Name a CSV, TSV or SQLite file.' })
  const ext = path.extname(absolute).toLowerCase()
  const kind = ext === '.csv' ? 'csv' : ext === '.tsv' || ext === '.tab' ? 'tsv' : SQLITE_EXT.has(ext) || (await hasSqliteHeader(absolute)) ? 'sqlite' : undefined
  if (kind === undefined) {
    throw new DatapubError('INPUT_UNSUPPORTED', `${field}: "${printable(given)}" is not a CSV, TSV or SQLite file`, {
      path: field,
      hint: 'Use a .csv, .tsv, .db, .sqlite or .sqlite3 file.',
    })
  }
  if (kind === 'sqlite' && !(await hasSqliteHeader(absolute))) {
    throw new DatapubError('SQLITE_INVALID', `${field}: "${printable(given)}" is not an SQLite database (bad header)`, { path: field, hint: 'Check that the file is an SQLite 3 database.' })
  }
  return { kind, path: absolute, given, bytes: info.size }
}

async function hasSqliteHeader(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises')
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(16)
    const { bytesRead } = await handle.read(buffer, 0, 16, 0)
    return bytesRead === 16 && buffer.toString('latin1') === SQLITE_MAGIC
  } finally {
    await handle.close()
  }
}

/**
 * Metadata text, strictly UTF-8: a lenient decode would turn every byte of a Latin-1 file into
 * U+FFFD and publish the damage. A leading BOM (common from Windows editors) is dropped.
 */
function decodeMetadata(bytes: Buffer, given: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new DatapubError('METADATA_INVALID', `metadata: ${given} is not UTF-8 text`, { path: 'metadata', hint: 'Save the file as UTF-8 (JSON and YAML are UTF-8 formats).' })
  }
}
