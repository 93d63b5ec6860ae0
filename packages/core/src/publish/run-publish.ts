import { mkdtemp, rm, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatapubError } from '../errors/datapub-error.js'
import { toDatapubError } from '../errors/to-datapub-error.js'
import { EventChannel } from '../events/event-channel.js'
import type { EventInput, PublishEvent, Stage } from '../contract/publish-event.js'
import { createContainer } from '../di/create-container.js'
import { Tokens } from '../di/tokens.js'
import type { ProviderRef } from '../contract/provider-types.js'
import type { PublishOutcome, PublishRequest } from './publish-request.js'
import { collectPublish } from './stages/collect-publish.js'
import { prepareDatabases } from './stages/prepare-databases.js'
import { engineBuild } from './stages/engine-build.js'
import { sweepStaleWorkDirs, WORK_DIR_PREFIX } from './sweep-stale-work-dirs.js'
import { explainVerifyFailure } from './stages/explain-verify-failure.js'
import { withResult, type ResultStream } from './with-result.js'
import { skipReason, type SkipFacts } from './stages/skip-reason.js'

/** A running publish: iterate it for the events; `result` is the outcome. */
export type PublishRun = ResultStream<PublishEvent, PublishOutcome>

/**
 * Runs collect → data → context → build → analyze → push → deploy → verify as a stream of typed
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
    const work = await mkdtemp(path.join(tmpdir(), WORK_DIR_PREFIX))
    try {
      const collected = await stage('collect', 'Checking inputs and credentials', () => collectPublish(request, services, emit, signal))
      const { spec, definition, operations } = collected
      const pipeline = services.resolve(Tokens.Pipeline)
      const prepared = await stage('data', 'Converting data to SQLite', () => prepareDatabases(spec, path.join(work, 'data'), pipeline, emit, signal))

      const contextDir = spec.generateDir ?? path.join(work, 'context')
      const context = await stage('context', 'Writing the build context', async () => {
        if (spec.generateDir !== undefined) await assertEmptyOrMissing(spec.generateDir)
        // A generated directory outlives this run, so it gets copies rather than hard links to our temp files.
        const ctx = await pipeline.createBuildContext({ spec, databases: prepared.databases, inspect: prepared.inspect, copyDatabases: spec.generateDir !== undefined }, contextDir)
        emit({ type: 'context:written', dir: ctx.dir, files: ctx.files, hash: ctx.hash })
        if (spec.showFiles) emit({ type: 'log', level: 'info', message: `==== Dockerfile ====\n${ctx.dockerfile}${ctx.metadata === undefined ? '' : `\n==== metadata.json ====\n${ctx.metadata}`}` })
        return ctx
      })
      const accepts = definition.artifactFor?.(spec.providerOptions as never) ?? definition.accepts
      const facts: SkipFacts = { definition, accepts, generate: spec.generateDir !== undefined, verify: spec.verify, pushes: operations.pushTarget !== undefined, append: false }
      if (facts.generate) {
        for (const s of ['build', 'analyze', 'push', 'deploy', 'verify'] as const) skip(s, skipReason(s, facts) ?? '--generate-dir')
        outcome = { kind: 'generated', dir: context.dir, files: context.files }
        return
      }

      const engine = services.resolve(Tokens.EngineFactory)
      const build = { spec, definition, operations, context, pipeline, engine, emit, stage, skip, signal }
      // --builder append writes data layers onto a prebuilt runtime image; it answers undefined
      // when it cannot run for this provider, and the engine path runs instead.
      const appended = accepts === 'image' && spec.builder === 'append'
        ? await (await import('./stages/append-build.js')).appendBuild({ ...build, databaseFiles: prepared.databases.map((d) => `${d.name}.db`), work, env: services.resolve(Tokens.Env) })
        : undefined
      const artifact = appended ?? (await engineBuild({ ...build, accepts }))

      const deployment = await stage('deploy', `Deploying to ${definition.title}`, async () => {
        const result = await operations.deploy({ name: spec.name, artifact, env: spec.env, spec, port: spec.port, signal })
        return { ...result, databases: prepared.inspect }
      })

      const noVerify = skipReason('verify', facts)
      if (noVerify === undefined) {
        await stage('verify', 'Checking the deployment serves the new data', async () => {
          const checked = await pipeline.verifyDeployment(deployment.url, prepared.inspect, { signal, timeoutMs: spec.verifyTimeoutMs, onAttempt: (a) => emit({ type: 'verify:attempt', url: deployment.url, ...a }) }).catch(async (error: unknown) => {
            throw await explainVerifyFailure(error, operations, deployment, signal)
          })
          emit({ type: 'verify:ok', url: deployment.url, checked })
        })
      } else skip('verify', noVerify)
      emit({ type: 'result', deployment })
      outcome = { kind: 'deployed', deployment }
    } catch (error) {
      failure = signal.aborted ? new DatapubError('ABORTED', 'The publish was cancelled.', { cause: error }) : toDatapubError(error)
      emit({ type: 'error', error: failure.toJSON() })
    } finally {
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

async function assertEmptyOrMissing(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    if (error.code === 'ENOTDIR' || error.code === 'EACCES' || error.code === 'EPERM') {
      throw new DatapubError('CONFIG_INVALID', `generateDir: ${dir} ${error.code === 'ENOTDIR' ? 'is a file, not a directory' : 'cannot be read'}.`, {
        path: 'generateDir',
        hint: 'Name a new or empty directory; datapub never overwrites files it did not create.',
        cause: error,
      })
    }
    return Promise.reject(error)
  })
  if (entries.length > 0) {
    throw new DatapubError('CONFIG_INVALID', `generateDir: ${dir} already exists and is not empty.`, {
      path: 'generateDir',
      hint: 'Name a new or empty directory; datapub never overwrites files it did not create.',
    })
  }
}
