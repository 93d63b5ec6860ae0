import { z } from '@datapub/core/kit'
import { sharedOptions } from '../shared/shared-options.js'

const httpUrl = z.url({ protocol: /^https?$/ })

export const nowOptionsSchema = z.object({
  ...sharedOptions,
  // api.zeit.co was renamed api.vercel.com with the company (2020); the zeit.co hosts only redirect,
  // and a cross-host redirect would drop (or, worse, carry) the token, so the current host is the default.
  apiUrl: httpUrl.default('https://api.vercel.com').describe('API base URL (default https://api.vercel.com, formerly api.zeit.co; proxies, tests)'),
  public: z.boolean().default(false).describe('Make the deployment source public (required on the OSS plan)'),
  forceNew: z.boolean().default(false).describe('Create a new deployment even when an identical one exists'),
  cloud: z.enum(['v1', 'v2']).default('v2').describe('Now cloud: v2 is serverless Docker (100 MiB image limit), v1 the legacy cloud'),
  scaleMin: z.number().int().min(0).max(100).optional().describe('Minimum instances in every region (PUT …/instances)'),
  scaleMax: z
    .string()
    .regex(/^(\d{1,3}|auto)$/, 'a number or auto')
    .optional()
    .describe('Maximum instances in every region, or auto'),
})

export type NowOptions = z.output<typeof nowOptionsSchema>
/** What `providerOptions` takes for `now` (defaults optional). */
export type NowOptionsInput = z.input<typeof nowOptionsSchema>

// Types `publish({ provider: 'now', providerOptions })` for anyone who imports this package.
declare module '@datapub/core/kit' {
  interface ProviderOptionsMap {
    now: NowOptionsInput
  }
}
