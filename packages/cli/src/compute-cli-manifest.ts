import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { BUILTIN_PROVIDERS } from '@datapub/core'
import { commonOptionsSchema, csvOptionsSchema } from '@datapub/core/schemas'
import type { CliManifest } from './cli-manifest.js'
import { deriveFlags } from './flags/derive-flags.js'

/** The manifest from the live schemas: used by the build script and when running from sources. */
export async function computeCliManifest(): Promise<CliManifest> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return {
    version: pkg.version,
    commonFlags: deriveFlags(jsonSchemaOf(commonOptionsSchema) as never, 'common', new Set(['files', 'csv'])),
    csvFlags: deriveFlags(jsonSchemaOf(csvOptionsSchema) as never, 'csv'),
    providers: Object.entries(BUILTIN_PROVIDERS).map(([name, p]) => ({ name, title: p.title, packageName: p.packageName })),
  }
}

export function jsonSchemaOf(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
}
