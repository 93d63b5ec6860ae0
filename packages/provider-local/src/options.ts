import { z } from '@datapub/core/kit'

export const localOptionsSchema = z.object({
  network: z
    .enum(['auto', 'host', 'bridge'])
    .default('auto')
    .describe('Container networking: bridge publishes a port, host shares the host network; auto uses bridge when the engine has it'),
  hostPort: z.number().int().min(1).max(65535).optional().describe('Host port to serve on (default: a free port)'),
  publicHost: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address').default('127.0.0.1').describe('Host name in the returned URL (the engine host when DOCKER_HOST is remote)'),
  healthTimeout: z.number().int().min(1).max(3600).default(60).describe('Seconds a new container has to answer HTTP before it counts as failed'),
})

export type LocalOptions = z.output<typeof localOptionsSchema>
/** What `providerOptions` takes for `local` (defaults optional). */
export type LocalOptionsInput = z.input<typeof localOptionsSchema>

// Types `publish({ provider: 'local', providerOptions })` for anyone who imports this package.
declare module '@datapub/core/kit' {
  interface ProviderOptionsMap {
    local: LocalOptionsInput
  }
}
