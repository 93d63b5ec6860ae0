import type { Readable } from 'node:stream'
import type { PublishSpec } from '../contract/publish-spec.js'

export interface ContextDatabase {
  /** Database name as Datasette shows it; the file in the image is `<name>.db`. */
  name: string
  /** Absolute path of the .db file. */
  file: string
}

export interface InspectEntry {
  hash: string
  size: number
  file: string
  tables: Record<string, { count: number }>
}

export interface BuildContextInput {
  spec: PublishSpec
  databases: ContextDatabase[]
  inspect: Record<string, InspectEntry>
  /** Provider additions to `datasette serve`, e.g. `['--setting', 'force_https_urls', 'on']`. */
  serveOptions?: string[]
  /** Copy databases instead of hard-linking them (`--generate-dir`, where the user may edit the output). */
  copyDatabases?: boolean
}

export interface BuildContext {
  dir: string
  /** Relative paths of the files (not directories), sorted. */
  files: string[]
  /** The Dockerfile text. */
  dockerfile: string
  /** The metadata.json text, when there is metadata. */
  metadata?: string
  /** sha256 (hex) of the deterministic tar. */
  hash: string
  /** Bytes of the deterministic tar: what an engine or a host receives. */
  bytes: number
  /** A new deterministic tar stream of `dir` on every call. */
  tar(): Readable
}
