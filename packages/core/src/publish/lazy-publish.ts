import type { ProviderRef } from '../contract/provider-types.js'
import type { PublishRequest } from './publish-request.js'
import type { PublishRun } from './run-publish.js'
import { withResult } from './with-result.js'

/**
 * publish() for the package entry: the same stream and `result`, with the pipeline's modules
 * (zod schemas, data, image, registry) loaded when the stream is first read.
 */
export function publish<P extends ProviderRef>(request: PublishRequest<P>): PublishRun {
  return withResult(
    (async function* () {
      const { runPipeline } = await import('./run-publish.js')
      return yield* runPipeline(request as PublishRequest)
    })(),
  )
}
