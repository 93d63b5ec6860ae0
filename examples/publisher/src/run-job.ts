import { rm } from 'node:fs/promises'
import { isDatapubError, publish, type createContainer, type PublishOutcome } from '@datapub/core'
import type { Job, JobStore } from './job-store.js'
import type { PublishSlots } from './publish-slots.js'
import type { SecretScrubber } from './secret-scrubber.js'
import { toClientError, toClientEvent } from './to-client-event.js'

type ServiceContainer = ReturnType<typeof createContainer>

export interface JobInput {
  provider: string
  files: string[]
  /** The job's private folder, removed when the publish ends. */
  dir: string
  options: Record<string, unknown>
  providerOptions: Record<string, unknown>
  container: ServiceContainer
  /** Names of the server's env variables, kept out of the text visitors read. */
  envNames: readonly string[]
}

const CANCELLED_IN_QUEUE = { code: 'ABORTED', fault: 'user', message: 'The publish was cancelled before it started.' }

/**
 * Waits for a publish slot (telling the visitor its place in the queue as it moves: `queue`
 * frames), then runs one publish and turns its event stream into the job's SSE frames: `start`,
 * every SDK event as `publish`, then `done` with the deployment or `failed` with the coded
 * error. Every frame is scrubbed of secrets. The job's folder is removed whatever happens.
 */
export async function runJob(store: JobStore, job: Job, input: JobInput, scrubber: SecretScrubber, slots: PublishSlots): Promise<void> {
  const send = (event: string, data: unknown) => store.append(job, event, scrubber.scrub(JSON.stringify(data)))
  const signal = job.controller.signal
  let release: (() => void) | undefined
  try {
    try {
      release = await slots.acquire(signal, (position, queued) => send('queue', { position, queued }))
    } catch {
      send('failed', CANCELLED_IN_QUEUE)
      return
    }
    job.state = 'running'
    send('start', {})
    const stream = publish({ provider: input.provider, files: input.files, options: input.options, providerOptions: input.providerOptions, signal, cwd: input.dir, container: input.container })
    let step = await stream.next()
    while (step.done !== true) {
      send('publish', toClientEvent(step.value, input.envNames))
      step = await stream.next()
    }
    const outcome: PublishOutcome = step.value
    if (outcome.kind === 'deployed') {
      const { provider, id, name, url } = outcome.deployment
      send('done', { provider, id, name, url })
    } else send('failed', { code: 'INTERNAL', fault: 'internal', message: 'The publish generated files instead of deploying.' })
  } catch (error) {
    if (isDatapubError(error)) send('failed', toClientError({ ...error.toJSON() }, input.envNames))
    else {
      send('failed', { code: 'INTERNAL', fault: 'internal', message: 'The publisher failed unexpectedly.', hint: 'Try again; if it keeps failing, the server log says why.' })
      console.error('publisher: job failed', error)
    }
  } finally {
    release?.()
    await rm(input.dir, { recursive: true, force: true }).catch(() => undefined)
    store.finish(job)
  }
}
