import type { PublishRequest } from '@datapub/core'
import type { CliIO } from './cli-command.js'
import type { Invocation } from './resolve-invocation.js'

/** What `publish` and `plan` hand to core for one command line: the same request, so a plan shows exactly what the publish would do. */
export async function publishRequestOf(resolved: Invocation, io: CliIO): Promise<PublishRequest> {
  const { createContainer } = await import('@datapub/core')
  return {
    provider: resolved.definition,
    files: resolved.positionals,
    options: resolved.options,
    providerOptions: resolved.providerOptions,
    signal: io.signal,
    cwd: io.cwd,
    container: createContainer({ ProviderRegistry: resolved.registry, Env: io.env }),
  }
}
