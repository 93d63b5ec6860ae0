import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import { diskFullError, isDiskFull } from '../errors/disk-full-error.js'
import { toDatapubError } from '../errors/to-datapub-error.js'
import { EventChannel } from '../events/event-channel.js'
import type { EventInput, PublishEvent, Stage } from '../contract/publish-event.js'
import { createContainer } from '../di/create-container.js'
import { Tokens } from '../di/tokens.js'
import type { ProviderRef } from '../contract/provider-types.js'
import type { PublishOutcome, PublishRequest } from './publish-request.js'
import { sweepStaleWorkDirs, WORK_DIR_PREFIX } from './sweep-stale-work-dirs.js'
import { skipReason } from './stages/skip-reason.js'
import { PUBLISH_STAGES } from './stages/publish-stages.js'
import { need, type PublishContext } from './publish-context.js'
import { withResult, type ResultStream } from './with-result.js'

/** A running publish: iterate it for the events; `result` is the outcome. */
export type PublishRun = ResultStream<PublishEvent, PublishOutcome>

/**
 * Runs the stage values of PUBLISH_STAGES (collect → data → context → build → analyze → push →
 * deploy → verify) in order, each skipped where skipReason says so, as a stream of typed
 * events. The outcome is the generator's return value and `run.result`; a failure yields an
 * `error` event and then throws (and rejects `result` with) the same DatapubError. The temporary
 * work folder is removed whatever happens.
 */
export function publish<P extends ProviderRef>(request: PublishRequest<P>): PublishRun {
  return withResult(runPipeline(request as PublishRequest))
}

export async function* runPipeline(request: PublishRequest): AsyncGenerator<PublishEvent, PublishOutcome> {
  const root = request.container ?? createContainer(request.services)
  const services = root.createChild()
  const clock = services.resolve(Tokens.Clock)
  const started = clock()
  const channel = new EventChannel<PublishEvent>()
  const signal = request.signal ?? new AbortController().signal
  let current: Stage | undefined
  const emit = (event: EventInput): void => {
    const stage = event.stage ?? current
    channel.push({ ...event, elapsedMs: clock() - started, ...(stage === undefined ? {} : { stage }) } as PublishEvent)
  }
  const stage = async <T>(name: Stage, title: string, work: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new DatapubError('ABORTED', `Cancelled before ${name}.`)
    current = name
    const t0 = clock()
    emit({ type: 'stage:start', stage: name, title })
    const result = await work()
    emit({ type: 'stage:end', stage: name, durationMs: clock() - t0 })
    return result
  }
  const skip = (name: Stage, reason: string) => emit({ type: 'stage:skip', stage: name, reason })

  let outcome: PublishOutcome | undefined
  let failure: DatapubError | undefined
  const run = (async () => {
    await sweepStaleWorkDirs(tmpdir())
    const work = await mkdtemp(path.join(tmpdir(), WORK_DIR_PREFIX)).catch((error: unknown) => {
      throw isDiskFull(error) ? diskFullError(tmpdir(), { cause: error, what: 'the work folder' }) : error
    })
    const ctx: PublishContext = { request, services, pipeline: services.resolve(Tokens.Pipeline), emit, signal, work, cleanups: [] }
    try {
      for (const value of PUBLISH_STAGES) {
        await value.prepare?.(ctx)
        const reason = ctx.facts === undefined ? undefined : skipReason(value.name, ctx.facts)
        if (reason !== undefined) skip(value.name, reason)
        else await stage(value.name, value.title(ctx), () => value.run(ctx))
      }
      const context = need(ctx.context, 'the build context')
      if (need(ctx.facts, 'the facts').generate) {
        outcome = { kind: 'generated', dir: context.dir, files: context.files }
        return
      }
      const deployment = need(ctx.deployment, 'the deployment')
      emit({ type: 'result', deployment })
      outcome = { kind: 'deployed', deployment }
    } catch (error) {
      // Every stage after collect writes at least a copy of the data: the floor a full disk's error can name.
      const neededBytes = ctx.collected?.spec.inputs.reduce((sum, input) => sum + input.bytes, 0)
      failure = signal.aborted
        ? new DatapubError('ABORTED', 'The publish was cancelled.', { cause: error })
        : !isDatapubError(error) && isDiskFull(error)
          ? // A copy names its source in `path` and the file it could not write in `dest`.
            diskFullError((error as { dest?: string }).dest ?? (error as { path?: string }).path ?? work, { ...(neededBytes === undefined ? {} : { neededBytes }), cause: error })
          : toDatapubError(error)
      emit({ type: 'error', error: failure.toJSON() })
    } finally {
      for (const cleanup of ctx.cleanups) await Promise.resolve().then(cleanup).catch(() => undefined)
      await rm(work, { recursive: true, force: true }).catch(() => undefined)
      await services.dispose().catch(() => undefined)
      channel.close()
    }
  })()

  yield* channel.drain()
  await run
  if (failure !== undefined) throw failure
  if (outcome === undefined) throw new DatapubError('INTERNAL', 'The pipeline ended without an outcome.')
  return outcome
}
