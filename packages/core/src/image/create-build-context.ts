import { createHash } from 'node:crypto'
import { copyFile, link, lstat, mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DatapubError } from '../errors/datapub-error.js'
import { assertEmptyDir } from './assert-empty-dir.js'
import type { BuildContext, BuildContextInput, InspectEntry } from './build-context.js'
import { deterministicTar, listTree } from './deterministic-tar.js'
import { PRUNE_VENV_SCRIPT } from './prune-venv-script.js'
import { recipeInputFromSpec } from './recipe-input-from-spec.js'
import { IMAGE_PATHS } from './recipe-input.js'
import { renderDockerfile } from './render-dockerfile.js'

/**
 * Writes the build context into `dir` (new or empty): Dockerfile, the builder's prune script,
 * `app/` (databases, inspect-data.json, metadata.json, templates, plugins, static mounts) and
 * `wheels/` when installing from a local directory. The Dockerfile is rendered first, so unsafe
 * input is refused before anything is written. Returns the file list and the hash of the
 * deterministic tar the engine will receive.
 */
export async function createBuildContext(input: BuildContextInput, dir: string): Promise<BuildContext> {
  const { spec } = input
  const databaseFiles = input.databases.map((db) => `${db.name}.db`)
  const dockerfile = renderDockerfile(recipeInputFromSpec(spec, databaseFiles, input.serveOptions ?? []))
  await assertEmptyDir(dir)

  const app = path.join(dir, IMAGE_PATHS.contextApp)
  await mkdir(app, { recursive: true })
  await writeFile(path.join(dir, 'Dockerfile'), dockerfile)
  await mkdir(path.join(dir, path.dirname(IMAGE_PATHS.contextPruneScript)), { recursive: true })
  await writeFile(path.join(dir, IMAGE_PATHS.contextPruneScript), PRUNE_VENV_SCRIPT)

  for (const [i, db] of input.databases.entries()) {
    const target = path.join(app, databaseFiles[i]!)
    if (input.copyDatabases) await copyFile(db.file, target)
    else await link(db.file, target).catch(() => copyFile(db.file, target))
  }
  await writeFile(path.join(app, IMAGE_PATHS.inspectFile), `${JSON.stringify(inspectForImage(input), null, 2)}\n`)
  let metadata: string | undefined
  if (Object.keys(spec.metadata).length > 0) {
    metadata = `${JSON.stringify(spec.metadata, null, 2)}\n`
    await writeFile(path.join(app, IMAGE_PATHS.metadataFile), metadata)
  }
  if (spec.templateDir !== undefined) await copyTree(spec.templateDir, path.join(app, IMAGE_PATHS.templatesDir), 'templateDir')
  if (spec.pluginsDir !== undefined) await copyTree(spec.pluginsDir, path.join(app, IMAGE_PATHS.pluginsDir), 'pluginsDir')
  for (const [i, { mount, dir: source }] of spec.staticMounts.entries()) {
    await copyTree(source, path.join(app, IMAGE_PATHS.staticDir, mount), `static[${i}]`)
  }
  if (spec.image.pipFindLinks !== undefined) await copyWheels(spec.image.pipFindLinks, path.join(dir, IMAGE_PATHS.contextWheels))

  return openBuildContext(dir, dockerfile, metadata)
}

/** Lists and hashes an already written context directory. */
export async function openBuildContext(dir: string, dockerfile: string, metadata?: string): Promise<BuildContext> {
  const { entries, other } = await listTree(dir)
  if (other.length > 0) {
    throw new DatapubError('INPUT_UNSAFE', `The build context holds ${other.length} entries that are neither files nor directories: ${other.slice(0, 3).join(', ')}`, {
      hint: 'Symbolic links, sockets and devices are not copied into images; replace them with regular files.',
    })
  }
  const tar = () => deterministicTar(dir, entries)
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of tar()) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return {
    dir,
    files: entries.filter((e) => e.type === 'file').map((e) => e.path),
    dockerfile,
    ...(metadata === undefined ? {} : { metadata }),
    hash: hash.digest('hex'),
    bytes,
    tar,
  }
}

/** Keys and tables as the data stage computed them; `file` is the name inside /app, sorted keys for a stable hash. */
function inspectForImage(input: BuildContextInput): Record<string, InspectEntry> {
  const out: Record<string, InspectEntry> = {}
  for (const db of [...input.databases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const entry = input.inspect[db.name]
    if (entry === undefined) {
      throw new DatapubError('INTERNAL', `No inspect data for database ${JSON.stringify(db.name)}.`, { hint: 'The data stage must inspect every database it hands to the image stage.' })
    }
    const tables: Record<string, { count: number }> = {}
    for (const name of Object.keys(entry.tables).sort()) tables[name] = { count: entry.tables[name]!.count }
    out[db.name] = { hash: entry.hash, size: entry.size, file: `${db.name}.db`, tables }
  }
  return out
}

/** Files and directories only: a symlink could pull anything on the machine into a public image. */
async function copyTree(source: string, target: string, field: string): Promise<void> {
  await mkdir(target, { recursive: true })
  for (const name of (await readdir(source)).sort()) {
    const from = path.join(source, name)
    const info = await lstat(from)
    if (info.isDirectory()) await copyTree(from, path.join(target, name), field)
    else if (info.isFile()) await copyFile(from, path.join(target, name))
    else {
      throw new DatapubError('INPUT_UNSAFE', `${field}: ${from} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`, {
        path: field,
        hint: 'Replace links with the files themselves; datapub copies only regular files and directories into images.',
      })
    }
  }
}

/** pip's --find-links reads one flat directory: its regular files (wheels, sdists) are all it needs. */
async function copyWheels(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true })
  for (const name of (await readdir(source)).sort()) {
    const info = await lstat(path.join(source, name))
    if (info.isFile() && /\.(?:whl|tar\.gz|zip)$/.test(name)) await copyFile(path.join(source, name), path.join(target, name))
  }
}
