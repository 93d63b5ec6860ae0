import { DatapubError } from '../../errors/datapub-error.js'
import type { DeploymentResult } from '../../contract/publish-event.js'
import type { ProviderOperations } from '../../contract/provider-types.js'

/**
 * A verify that fails because a newer publish of the same name replaced this deployment (two
 * publishes at once to one name: the newest wins) is not a host failure. When the provider now
 * reports another URL for the name, say so; otherwise the original error stands.
 */
export async function explainVerifyFailure(error: unknown, operations: ProviderOperations, deployment: DeploymentResult, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return error
  const current = await operations.status(deployment.id, signal).catch(() => undefined)
  if (current?.url === undefined || current.url === deployment.url) return error
  return new DatapubError('DEPLOY_SUPERSEDED', `"${deployment.name}" was replaced by a newer publish of the same name before it could be verified; ${current.url} now serves it.`, {
    fault: 'user',
    ...(deployment.provider === undefined ? {} : { provider: deployment.provider }),
    hint: 'Publishes to one name at the same time end with the newest one serving; publish again if yours should win.',
    cause: error,
    details: { url: deployment.url, current: current.url },
  })
}
