import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { DatapubError } from '../errors/datapub-error.js'
import { listTree } from '../image/deterministic-tar.js'
import type { DeploymentDescriptor } from '../contract/provider-types.js'

/** The optional provider capability that downloads a deployment's recorded input files (e.g. Now v1's file API). */
export type FetchSource = (file: string, signal?: AbortSignal) => Promise<Readable>

export interface MaterializedSources {
  dir: string
  files: string[]
  /** False when the descriptor listed no hashes and the directory was taken as it is. */
  verified: boolean
}

/**
 * Gathers the recorded inputs into `target`, from a local directory first and the source host
 * second; every file must match its recorded sha256 and size. All missing or mismatched files
 * are reported at once, with what to provide.
 */
export async function materializeSources(descriptor: DeploymentDescriptor, target: string, from: { dir?: string; fetch?: FetchSource; signal?: AbortSignal }): Promise<MaterializedSources> {
  const sources = descriptor.sources
  if (sources === undefined || sources.length === 0) {
    if (from.dir === undefined) throw inputsMissing(descriptor, ['the list of source files (the export recorded none)'], 'Pass --sources-dir with the build context the deployment was made from (`datapub publish --generate-dir` writes one).')
    const { entries } = await listTree(from.dir)
    const files = entries.filter((e) => e.type === 'file').map((e) => e.path).sort()
    if (!files.includes('Dockerfile')) throw inputsMissing(descriptor, [`a Dockerfile in ${from.dir}`], 'The directory must hold the whole build context, Dockerfile at its root.')
    return { dir: from.dir, files, verified: false }
  }
  const problems: string[] = []
  for (const source of sources) {
    const dest = path.join(target, ...source.path.split('/'))
    await mkdir(path.dirname(dest), { recursive: true })
    const local = from.dir === undefined ? undefined : path.join(from.dir, ...source.path.split('/'))
    let got = false
    if (local !== undefined && (await stat(local).catch(() => undefined))?.isFile()) {
      if ((await sha256Of(createReadStream(local))) === source.sha256) {
        await copyFile(local, dest)
        got = true
      } else if (from.fetch === undefined) problems.push(`${source.path} (the local copy has another sha256)`)
    }
    if (!got && from.fetch !== undefined) {
      const chunks: Buffer[] = []
      for await (const chunk of await from.fetch(source.path, from.signal)) chunks.push(chunk as Buffer)
      const bytes = Buffer.concat(chunks)
      if (createHash('sha256').update(bytes).digest('hex') === source.sha256 && bytes.length === source.bytes) {
        await writeFile(dest, bytes)
        got = true
      } else problems.push(`${source.path} (the host served other bytes)`)
    }
    if (!got && !problems.some((p) => p.startsWith(`${source.path} `))) problems.push(source.path)
  }
  if (problems.length > 0) throw inputsMissing(descriptor, problems, from.dir === undefined ? 'Pass --sources-dir with the original files, or migrate from a provider that can download them.' : `Put the original files under ${from.dir}.`)
  return { dir: target, files: sources.map((s) => s.path).sort(), verified: true }
}

function inputsMissing(descriptor: DeploymentDescriptor, missing: string[], hint: string): DatapubError {
  return new DatapubError('MIGRATE_INPUTS_MISSING', `Cannot rebuild ${descriptor.provider} deployment ${descriptor.id}: missing ${missing.join(', ')}.`, {
    fault: 'user',
    path: 'sourcesDir',
    hint,
    details: { missing },
  })
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
