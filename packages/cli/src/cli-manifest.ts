import type { FlagSpec } from './flags/flag-spec.js'

/** Facts `--help` needs, generated at build time so help never loads zod or a provider. */
export interface CliManifest {
  version: string
  commonFlags: FlagSpec[]
  /** csvs-to-sqlite flags, accepted by publish and plan. */
  csvFlags: FlagSpec[]
  providers: Array<{ name: string; title: string; packageName: string }>
}
