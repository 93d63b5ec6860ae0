import { z } from '@datapub/core/kit'
import { sharedOptions } from '../shared/shared-options.js'
import { VERCEL_ERAS, type VercelEra } from './vercel-eras.js'

/** datasette-publish-vercel's rule for project names. */
export const VERCEL_PROJECT_PATTERN = /^[a-z0-9][a-z0-9-]{1,51}$/

const eras = Object.keys(VERCEL_ERAS) as [VercelEra, ...VercelEra[]]

export const vercelOptionsSchema = z.object({
  ...sharedOptions,
  apiUrl: z.url({ protocol: /^https?$/ }).default('https://api.vercel.com').describe('Vercel API base URL (proxies, tests)'),
  project: z
    .string()
    .regex(VERCEL_PROJECT_PATTERN, 'lower-case letters, digits and -, 2 to 52 characters, starting with a letter or digit')
    .optional()
    .describe('Vercel project (default: the deployment --name)'),
  prod: z.boolean().default(true).describe('Deploy to production; --no-prod makes a preview deployment'),
  era: z.enum(eras).default('today').describe('Function size rules to check before upload: now2-5mb, now2-50mb (Now 2.0) or today (250 MB unzipped)'),
  setting: z
    .array(z.tuple([z.string().regex(/^[a-z_]{1,64}$/, 'a Datasette setting name'), z.string()]))
    .default([])
    .describe('Datasette setting: NAME VALUE (repeatable), e.g. --setting sql_time_limit_ms 3500'),
  protectionBypass: z
    .string()
    .min(8)
    .optional()
    .describe('Deployment Protection bypass secret (env VERCEL_AUTOMATION_BYPASS_SECRET): lets datapub check a protected URL serves the new data; never logged'),
  crossdb: z.boolean().default(false).describe('Enable cross-database SQL queries (Datasette crossdb)'),
})

export type VercelOptions = z.output<typeof vercelOptionsSchema>
/** What `providerOptions` takes for `vercel` (defaults optional). */
export type VercelOptionsInput = z.input<typeof vercelOptionsSchema>

// Types `publish({ provider: 'vercel', providerOptions })` for anyone who imports this package.
declare module '@datapub/core/kit' {
  interface ProviderOptionsMap {
    vercel: VercelOptionsInput
  }
}
