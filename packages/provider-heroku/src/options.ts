import { z } from '@datapub/core/kit'

const hostOrUrl = /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/

export const herokuOptionsSchema = z.object({
  apiKey: z.string().min(1).optional().describe('Heroku API key (env HEROKU_API_KEY); sent as Basic auth, never logged'),
  region: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'a Heroku region name such as us or eu')
    .optional()
    .describe('Region for a new app, e.g. us or eu (ignored for existing apps)'),
  team: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'a Heroku team name')
    .optional()
    .describe('Create a new app in this Heroku team instead of the personal account'),
  dynoSize: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'a dyno size such as basic, standard-1x or performance-m')
    .optional()
    .describe('Dyno size (type) of the web process, e.g. eco, basic, standard-1x'),
  dynoQuantity: z.number().int().min(1).max(100).optional().describe('Number of web dynos'),
  configVar: z
    .array(z.string().regex(/^\w+=/, 'use KEY=VALUE with KEY made of letters, digits and _'))
    .default([])
    .describe('Extra config var for the app: KEY=VALUE (repeatable)'),
  apiUrl: z.url({ protocol: /^https?$/ }).optional().describe('Platform API base URL (default https://api.heroku.com); for proxies and tests'),
  registryUrl: z
    .string()
    .regex(hostOrUrl, 'a registry host[:port], optionally with http:// or https://')
    .optional()
    .describe('Container registry to push to (default registry.heroku.com); http:// or a loopback host means plain http'),
  path: z
    .enum(['container', 'build'])
    .optional()
    .describe('container: push the engine-built image and release it; build: Heroku builds the context (default: container when an image was built)'),
  releaseTimeout: z.number().int().min(10).max(3600).default(600).describe('Seconds to wait for the release and the web dynos to come up'),
  pollInterval: z.number().int().min(1).max(60_000).default(2000).describe('Milliseconds between status polls of releases, builds and dynos'),
})

export type HerokuOptions = z.output<typeof herokuOptionsSchema>

/** `--config-var KEY=VALUE` pairs as a map; the first `=` splits, so values may contain `=`. */
export function configVarMap(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}
/** What `providerOptions` takes for `heroku` (defaults optional). */
export type HerokuOptionsInput = z.input<typeof herokuOptionsSchema>

// Types `publish({ provider: 'heroku', providerOptions })` for anyone who imports this package.
declare module '@datapub/core/kit' {
  interface ProviderOptionsMap {
    heroku: HerokuOptionsInput
  }
}
