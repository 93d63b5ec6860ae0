import { DatapubError, isDatapubError } from '../errors/datapub-error.js'
import type { BuildContext } from './build-context.js'
import type { BuildOptions, ContainerEngine } from '../contract/container-engine.js'

export interface BuildImageOptions {
  tag: string
  onLog?: (line: string) => void
  /** Structured progress: each step as it starts, and whether the engine reused its cache. */
  onStep?: (step: BuildStep) => void
  /** Byte progress of base layers the engine pulls. */
  onLayer?: BuildOptions['onLayer']
  signal?: AbortSignal
  /** `host` lets builds reach a package mirror on engines without a bridge network. */
  networkMode?: string
  buildArgs?: Record<string, string>
  labels?: Record<string, string>
  noCache?: boolean
}

export interface BuildStep {
  /** 1-based. */
  index: number
  total?: number
  /** The instruction as the engine echoes it, e.g. `RUN python3 -m venv ...`. */
  instruction: string
  cached: boolean
}

export interface BuiltImage {
  imageId: string
  tag: string
  steps: BuildStep[]
  /** Steps the engine took from its cache: a republish with the same recipe reuses every builder step. */
  cachedSteps: number
  contextHash: string
}

// Classic builder: "Step 3/12 : RUN ..." then " ---> Using cache". BuildKit: "#5 [builder 2/4] RUN ..." then "#5 CACHED".
const CLASSIC_STEP = /^Step (\d+)\/(\d+) : (.*)$/
const BUILDKIT_STEP = /^#(\d+) \[(?:[^\]]*?\s)?(\d+)\/(\d+)\] (.*)$/
const CLASSIC_CACHED = /^\s*---> Using cache$/
const BUILDKIT_CACHED = /^#(\d+) CACHED$/

/**
 * Builds a context on the engine, streaming each output line to `onLog` and each step to
 * `onStep`. A failure is IMAGE_BUILD_FAILED carrying the failing instruction and only that
 * step's output, with a hint matched to the usual causes (missing base image, unknown package).
 */
export async function buildImage(engine: ContainerEngine, context: BuildContext, options: BuildImageOptions): Promise<BuiltImage> {
  const steps: BuildStep[] = []
  const stepLog: string[] = []
  const buildkitSteps = new Map<string, BuildStep>()
  const onLine = (line: string) => {
    options.onLog?.(line)
    const classic = CLASSIC_STEP.exec(line)
    const buildkit = classic ? null : BUILDKIT_STEP.exec(line)
    if (classic || buildkit) {
      const step: BuildStep = classic
        ? { index: Number(classic[1]), total: Number(classic[2]), instruction: classic[3]!, cached: false }
        : { index: steps.length + 1, instruction: buildkit![4]!, cached: false }
      steps.push(step)
      if (buildkit) buildkitSteps.set(buildkit[1]!, step)
      stepLog.length = 0
      options.onStep?.(step)
      return
    }
    stepLog.push(line)
    if (CLASSIC_CACHED.test(line) && steps.length > 0) steps[steps.length - 1]!.cached = true
    const cachedKit = BUILDKIT_CACHED.exec(line)
    if (cachedKit) {
      const step = buildkitSteps.get(cachedKit[1]!)
      if (step) step.cached = true
    }
  }
  try {
    const result = await engine.build(context.tar(), {
      tag: options.tag,
      onLog: onLine,
      ...(options.onLayer ? { onLayer: options.onLayer } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.networkMode ? { networkMode: options.networkMode } : {}),
      ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.noCache ? { noCache: true } : {}),
    })
    return { imageId: result.imageId, tag: result.tag, steps, cachedSteps: steps.filter((s) => s.cached).length, contextHash: context.hash }
  } catch (error) {
    // A cancelled build, or an engine that went away under it, is not the recipe's failure.
    if (isDatapubError(error) && (error.code === 'ABORTED' || error.code === 'ENGINE_UNREACHABLE')) throw error
    if (options.signal?.aborted) throw new DatapubError('ABORTED', 'The image build was cancelled.', { cause: error })
    const failed = steps.at(-1)
    const reason = isDatapubError(error) ? error.message.replace(/^The image build failed(?: at "[^"]*")?: /, '') : (error as Error).message
    throw new DatapubError('IMAGE_BUILD_FAILED', `The image build failed${failed ? ` at step ${failed.index}${failed.total ? `/${failed.total}` : ''} (${failed.instruction.slice(0, 120)})` : ''}: ${reason}`, {
      cause: error,
      hint: buildFailureHint(failed?.instruction ?? '', [...stepLog, reason].join('\n')),
      details: {
        ...(failed ? { step: failed.index, instruction: failed.instruction } : {}),
        stepLog: stepLog.slice(-200),
        contextHash: context.hash,
      },
    })
  }
}

function buildFailureHint(instruction: string, log: string): string {
  if (/^FROM /i.test(instruction) || /pull access denied|manifest unknown|No such image|repository does not exist/i.test(log)) {
    return 'The base image is not on the engine and could not be pulled: pull or build it first, or choose another with --base-image / --runtime-image.'
  }
  if (/No matching distribution|Could not find a version|ResolutionImpossible/i.test(log)) {
    return 'pip could not find a package: check the --install names and versions, and --pip-index-url / --pip-find-links.'
  }
  if (/Unable to locate package|has no installation candidate/i.test(log)) return 'apt could not find a package: check the --apt-get-install names against the base image\'s Debian release.'
  if (/Temporary failure resolving|Could not resolve|Network is unreachable|Failed to establish a new connection/i.test(log)) {
    return 'The build could not reach the network: on engines without a bridge network build with networkMode "host", or install from --pip-find-links.'
  }
  if (/error: command '.*gcc' failed|gcc: not found|Python\.h: No such file/i.test(log)) {
    return 'A package needs a compiler or headers: add them to the builder with --build-apt-get-install (e.g. gcc libc6-dev python3-dev).'
  }
  return 'Read the failing step\'s log in details.stepLog; fix the input it names and publish again.'
}
