import { rm } from 'node:fs/promises'
import { isDatapubError, publish, type createContainer, type PublishOutcome } from '@datapub/core'
import type { Job, JobStore } from './job-store.js'
import type { SecretScrubber } from './secret-scrubber.js'
import { toClientEvent } from './to-client-event.js'

type ServiceContainer = ReturnType<typeof createContainer>

export interface JobInput {
  provider: string
  files: string[]
  /** The job's private folder, removed when the publish ends. */
  dir: string
  options: Record<string, unknown>
  providerOptions: Record<string, unknown>
  container: ServiceContainer
}

/**
 * Runs one publish and turns its event stream into the job's SSE frames: every SDK event as
 * `publish`, then `done` with the deployment or `failed` with the coded error. Every frame is
 * scrubbed of secrets. The job's folder is removed whatever happens.
 */
export async function runJob(store: JobStore, job: Job, input: JobInput, scrubber: SecretScrubber): Promise<void> {
  const send = (event: string, data: unknown) => store.append(job, event, scrubber.scrub(JSON.stringify(data)))
  try {
    const stream = publish({ provider: input.provider, files: input.files, options: input.options, providerOptions: input.providerOptions, signal: job.controller.signal, cwd: input.dir, container: input.container })
    let step = await stream.next()
    while (step.done !== true) {
      send('publish', toClientEvent(step.value))
      step = await stream.next()
    }
    const outcome: PublishOutcome = step.value
    if (outcome.kind === 'deployed') {
      const { provider, id, name, url } = outcome.deployment
      send('done', { provider, id, name, url })
    } else send('failed', { code: 'INTERNAL', fault: 'internal', message: 'The publish generated files instead of deploying.' })
  } catch (error) {
    send(
      'failed',
      isDatapubError(error)
        ? error.toJSON()
        : { code: 'INTERNAL', fault: 'internal', message: 'The publisher failed unexpectedly.', hint: 'Try again; if it keeps failing, the server log says why.' },
    )
    if (!isDatapubError(error)) console.error('publisher: job failed', error)
  } finally {
    await rm(input.dir, { recursive: true, force: true }).catch(() => undefined)
    store.finish(job)
  }
}
