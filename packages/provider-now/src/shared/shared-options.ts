import { z } from '@datapub/core/kit'

/** Option keys both providers share; none of them is a common publish option. */
export const sharedOptions = {
  token: z.string().min(8, 'a token is at least 8 characters').optional().describe('API token (default: env NOW_TOKEN or VERCEL_TOKEN)'),
  scope: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'a team id (team_…) or team slug')
    .optional()
    .describe('Team to deploy under: a team id (team_…) or its slug'),
  alias: z
    .array(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a host name such as my-data.now.sh'))
    .default([])
    .describe('Alias host name to point at the deployment (repeatable); the first becomes the URL'),
  pollInterval: z.number().int().min(0).max(60_000).default(1500).describe('Milliseconds between status polls'),
  deployTimeout: z.number().int().min(1).max(7200).default(900).describe('Seconds to wait for the deployment to become ready'),
  maxRateLimitWait: z.number().int().min(0).max(3600).default(120).describe('Longest wait in seconds for a rate limit reset before giving up'),
}
