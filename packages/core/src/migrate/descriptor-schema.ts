import { z } from 'zod'
import { DatapubError } from '../errors/datapub-error.js'
import type { DeploymentDescriptor } from '../contract/provider-types.js'

import { DESCRIPTOR_SCHEMA } from './descriptor-kind.js'

export { DESCRIPTOR_SCHEMA }

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 hex digest')
// Relative, forward slashes, no `..`: these paths are joined to a local directory on import.
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === '') && !/[\u0000-\u001f\u007f]/.test(p), 'a relative path without . or .. segments or control characters')

// Datasette's inspect output: keys it may add later are kept as they are, never dropped.
const inspectEntry = z.looseObject({ hash: z.string().min(1), size: z.number().nonnegative().optional(), file: z.string().optional(), tables: z.record(z.string(), z.looseObject({ count: z.number().int().nonnegative() })) })

/** The portable descriptor (schema v1). Unknown keys are refused, nested ones too: a typo (`memmory`) must not silently drop data. */
export const deploymentDescriptorSchema = z.strictObject({
  schema: z.literal(DESCRIPTOR_SCHEMA),
  provider: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a provider id'),
  id: z.string().min(1),
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }).optional(),
  aliases: z.array(z.string().min(1)).optional(),
  image: z
    .strictObject({
      ref: z.string().min(1),
      digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'sha256:<64 hex>').optional(),
      registry: z.string().optional(),
      /** Uncompressed bytes, when the exporter knew them: checked against the target's imageBytes limit. */
      bytes: z.number().int().nonnegative().optional(),
    })
    .optional(),
  sources: z.array(z.strictObject({ path: relativePath, sha256, bytes: z.number().int().nonnegative() })).optional(),
  options: z.record(z.string(), z.unknown()),
  envNames: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable NAME (values never travel in a descriptor)')),
  resources: z
    .strictObject({ memory: z.string().optional(), cpu: z.string().optional(), minInstances: z.number().int().optional(), maxInstances: z.number().int().optional() })
    .optional(),
  databases: z.record(z.string(), inspectEntry).optional(),
})

export type ParsedDescriptor = z.output<typeof deploymentDescriptorSchema> & DeploymentDescriptor

/**
 * Validates a descriptor from a file, a provider or a program. A different schema version gets
 * its own code, so a newer exporter's output is told apart from a broken file.
 */
export function parseDescriptor(value: unknown, source = 'descriptor'): ParsedDescriptor {
  const version = (value as { schema?: unknown } | null)?.schema
  if (typeof version === 'string' && version !== DESCRIPTOR_SCHEMA && version.startsWith('datapub.deployment/')) {
    throw new DatapubError('MIGRATE_DESCRIPTOR_VERSION', `${source} has schema ${version}; this datapub reads ${DESCRIPTOR_SCHEMA}.`, {
      fault: 'user',
      path: 'schema',
      hint: 'Export the deployment again with this datapub version, or upgrade datapub.',
    })
  }
  const parsed = deploymentDescriptorSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
    throw new DatapubError('MIGRATE_DESCRIPTOR_INVALID', `${source} is not a valid deployment descriptor: ${at === '' ? '' : `${at}: `}${issue.message}.`, {
      fault: 'user',
      path: at === '' ? 'descriptor' : at,
      hint: `A descriptor is the JSON \`datapub export <provider> <deployment>\` prints (schema ${DESCRIPTOR_SCHEMA}).`,
      details: { issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })) },
    })
  }
  return parsed.data as ParsedDescriptor
}
