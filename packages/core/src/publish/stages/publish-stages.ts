import path from 'node:path'
import { readdir, rm } from 'node:fs/promises'
import { DatapubError } from '../../errors/datapub-error.js'
import { Tokens } from '../../di/tokens.js'
import type { Artifact, ProviderRecipe } from '../../contract/provider-types.js'
import type { PublishSpec } from '../../contract/publish-spec.js'
import type { RegistryClient } from '../../registry/registry-client.js'
import { need, type PublishContext } from '../publish-context.js'
import { appendRuntimeStore, appendPushTitle, buildAppended, pushAppended, type AppendBuildInput } from './append-build.js'
import { collectPublish } from './collect-publish.js'
import { analyzeOnEngine, buildOnEngine, engineBuildTitle, pushFromEngine, type EngineBuildInput } from './engine-build.js'
import { explainVerifyFailure } from './explain-verify-failure.js'
import { prepareDatabases } from './prepare-databases.js'
import type { PublishStage } from './publish-stage.js'

/** The pipeline, in order: publish runs these values, planPublish maps their plan(). */
export const PUBLISH_STAGES: readonly PublishStage[] = [
  {
    name: 'collect',
    plan: ({ definition }) => `validate options and inputs; check ${definition.title} credentials`,
    title: () => 'Checking inputs and credentials',
    async run(ctx) {
      const collected = await collectPublish(ctx.request, ctx.services, ctx.emit, ctx.signal)
      const { definition, operations } = collected
      const recipe = definition.recipe?.(collected.spec.providerOptions as never)
      const spec = withRecipe(collected.spec, recipe)
      const accepts = definition.artifactFor?.(spec.providerOptions as never) ?? definition.accepts
      ctx.collected = { ...collected, spec }
      ctx.serveOptions = recipe?.serveOptions ?? []
      ctx.facts = { definition, accepts, generate: spec.generateDir !== undefined, verify: spec.verify, pushes: operations.pushTarget !== undefined, append: false }
    },
  },
  {
    name: 'data',
    plan: ({ spec, tabular, databases }) => (tabular > 0 ? `convert ${tabular} CSV/TSV file(s) into ${spec.databaseName}.db; inspect ${databases.length} database(s)` : `inspect ${databases.length} SQLite database(s)`),
    title: () => 'Converting data to SQLite',
    async run(ctx) {
      ctx.prepared = await prepareDatabases(need(ctx.collected, 'the spec').spec, path.join(ctx.work, 'data'), ctx.pipeline, ctx.emit, ctx.signal)
    },
  },
  {
    name: 'context',
    plan: ({ spec }) => (spec.generateDir !== undefined ? `write the build context to ${spec.generateDir}` : 'write the build context (Dockerfile, databases, metadata, inspect file)'),
    title: () => 'Writing the build context',
    async run(ctx) {
      const { spec } = need(ctx.collected, 'the spec')
      const prepared = need(ctx.prepared, 'the databases')
      const generated = spec.generateDir === undefined ? undefined : await assertEmptyOrMissing(spec.generateDir)
      const contextDir = spec.generateDir ?? path.join(ctx.work, 'context')
      // A generated directory outlives this run, so it gets copies rather than hard links to our temp files.
      const built = await ctx.pipeline.createBuildContext({ spec, databases: prepared.databases, inspect: prepared.inspect, copyDatabases: spec.generateDir !== undefined, serveOptions: ctx.serveOptions ?? [] }, contextDir).catch(async (error: unknown) => {
        // A half-written --generate-dir is worse than none: remove what this run wrote (the folder too, if it made it).
        if (generated !== undefined) await removeGenerated(contextDir, generated.existed)
        throw error
      })
      ctx.emit({ type: 'context:written', dir: built.dir, files: built.files, hash: built.hash })
      if (spec.showFiles) ctx.emit({ type: 'log', level: 'info', message: `==== Dockerfile ====\n${built.dockerfile}${built.metadata === undefined ? '' : `\n==== metadata.json ====\n${built.metadata}`}` })
      ctx.context = built
    },
  },
  {
    name: 'build',
    plan: ({ spec, definition, accepts, append }) =>
      append !== undefined ? append.build : accepts === 'image' ? `build the image on the Docker engine (${spec.image.baseImage} → ${spec.image.runtimeImage})` : `build locally to check ${definition.title}'s limits when an engine is at hand (${definition.title} builds the context itself)`,
    title: (ctx) => (need(ctx.facts, 'the facts').append ? 'Building the image with the append builder (data layers on a prebuilt runtime image)' : engineBuildTitle(need(ctx.facts, 'the facts').accepts, need(ctx.facts, 'the facts').definition)),
    async prepare(ctx) {
      const facts = need(ctx.facts, 'the facts')
      if (facts.generate) return
      const { spec, definition } = need(ctx.collected, 'the spec')
      if (facts.accepts === 'image' && spec.builder === 'append') {
        // Without a registry the runtime image lives in the engine, which must report image configs.
        const needsEngine = !facts.pushes && spec.runtimeRegistry === undefined
        if (needsEngine) ctx.engine = await ctx.services.resolve(Tokens.EngineFactory)()
        ctx.appendStore = appendRuntimeStore(spec, facts.pushes, ctx.engine)
        facts.append = ctx.appendStore !== undefined
        if (!facts.append) {
          ctx.emit({
            type: 'warning',
            code: 'APPEND_NEEDS_RUNTIME_REGISTRY',
            message: `${definition.title} has no registry of its own and its engine cannot stack images in place, so --builder append needs --runtime-registry (env DATAPUB_RUNTIME_REGISTRY), e.g. a registry on 127.0.0.1; building with the engine instead.`,
          })
        }
      }
      if (facts.append) return
      const sized = definition.limits.imageBytes !== undefined || definition.limits.fileBytes !== undefined
      const connect = ctx.services.resolve(Tokens.EngineFactory)
      if (facts.accepts === 'image') ctx.engine ??= await connect()
      else if (sized && facts.accepts === 'context') ctx.engine = await connect().catch(() => undefined)
      facts.noEngine = ctx.engine === undefined
    },
    async run(ctx) {
      if (need(ctx.facts, 'the facts').append) ctx.appended = await buildAppended(appendInput(ctx), need(ctx.appendStore, 'the runtime store'))
      else ctx.built = await buildOnEngine(engineInput(ctx))
    },
  },
  {
    name: 'analyze',
    plan: () => 'check the image against the provider limits',
    title: (ctx) => `Checking the image against ${need(ctx.facts, 'the facts').definition.title}'s limits`,
    async run(ctx) {
      await analyzeOnEngine(engineInput(ctx), need(ctx.built, 'the image'))
    },
  },
  {
    name: 'push',
    plan: ({ append }) => (append?.builder === 'append' ? append.push : 'push only the layers the registry lacks'),
    title: (ctx) => (need(ctx.facts, 'the facts').append ? appendPushTitle(ctx.appended, need(ctx.facts, 'the facts').definition) : `Pushing the image to ${need(ctx.facts, 'the facts').definition.title}`),
    async run(ctx) {
      ctx.artifact = need(ctx.facts, 'the facts').append ? await pushAppended(appendInput(ctx), need(ctx.appended, 'the appended image')) : await pushFromEngine(engineInput(ctx), need(ctx.built, 'the image'))
    },
  },
  {
    name: 'deploy',
    plan: ({ spec, definition }) => `deploy "${spec.name}" to ${definition.title}`,
    title: (ctx) => `Deploying to ${need(ctx.facts, 'the facts').definition.title}`,
    async run(ctx) {
      const { spec, operations } = need(ctx.collected, 'the provider')
      const result = await operations.deploy({ name: spec.name, artifact: artifactOf(ctx), env: spec.env, spec, port: spec.port, signal: ctx.signal })
      ctx.deployment = { ...result, databases: need(ctx.prepared, 'the databases').inspect }
      // A URL behind a login (Vercel Deployment Protection) cannot be checked from here; the
      // provider checked it with its bypass when it could, and warned when it could not.
      const facts = need(ctx.facts, 'the facts')
      if (result.access === 'protected' && !(Array.isArray(result.verified) && result.verified.length > 0)) facts.unverifiable = `${result.url} is protected (login required); datapub could not check what it serves`
    },
  },
  {
    name: 'verify',
    plan: () => 'check that the URL serves the new data (inspect hashes)',
    title: () => 'Checking the deployment serves the new data',
    async run(ctx) {
      const { spec, operations } = need(ctx.collected, 'the provider')
      const deployment = need(ctx.deployment, 'the deployment')
      if (deployment.access === 'protected') {
        ctx.emit({ type: 'verify:ok', url: deployment.url, checked: deployment.verified ?? [] })
        return
      }
      const checked = await ctx.pipeline.verifyDeployment(deployment.url, need(ctx.prepared, 'the databases').inspect, { signal: ctx.signal, timeoutMs: spec.verifyTimeoutMs, onAttempt: (a) => ctx.emit({ type: 'verify:attempt', url: deployment.url, ...a }) }).catch(async (error: unknown) => {
        throw await explainVerifyFailure(error, operations, deployment, ctx.signal)
      })
      ctx.emit({ type: 'verify:ok', url: deployment.url, checked })
    },
  },
]

/** What deploy receives: the pushed (or engine) image for image providers, else the context as a context or bundle. */
function artifactOf(ctx: PublishContext): Artifact {
  const facts = need(ctx.facts, 'the facts')
  const context = need(ctx.context, 'the build context')
  if (facts.accepts === 'image') return ctx.artifact ?? need(ctx.built, 'the image')
  return facts.accepts === 'bundle' ? { kind: 'bundle', dir: context.dir, files: context.files } : { kind: 'context', dir: context.dir, files: context.files }
}

function engineInput(ctx: PublishContext): EngineBuildInput {
  const { spec, definition, operations } = need(ctx.collected, 'the provider')
  return { spec, definition, operations, accepts: need(ctx.facts, 'the facts').accepts, context: need(ctx.context, 'the build context'), pipeline: ctx.pipeline, engine: need(ctx.engine, 'the engine'), emit: ctx.emit, signal: ctx.signal }
}

function appendInput(ctx: PublishContext): AppendBuildInput {
  const { spec, definition, operations } = need(ctx.collected, 'the provider')
  const clients: RegistryClient[] = []
  ctx.cleanups.push(() => {
    for (const c of clients) c.close()
  })
  return {
    spec,
    definition,
    operations,
    context: need(ctx.context, 'the build context'),
    serveOptions: ctx.serveOptions ?? [],
    databaseFiles: need(ctx.prepared, 'the databases').databases.map((d) => `${d.name}.db`),
    work: ctx.work,
    pipeline: ctx.pipeline,
    engine: ctx.services.resolve(Tokens.EngineFactory),
    env: ctx.services.resolve(Tokens.Env),
    emit: ctx.emit,
    signal: ctx.signal,
    client: async (options) => {
      const made = await ctx.pipeline.createRegistryClient({ ...options, signal: ctx.signal })
      clients.push(made)
      return made
    },
  }
}

/** A provider that needs the server to run as root (a volume it writes to) selects the base runtime, as apt packages do. */
function withRecipe(spec: PublishSpec, recipe: ProviderRecipe | undefined): PublishSpec {
  const root = recipe?.user === 'root'
  if (recipe?.runtime !== 'base' && !root) return spec
  return { ...spec, image: { ...spec.image, runtime: 'base', ...(root ? { runAsRoot: true } : {}) } }
}

async function assertEmptyOrMissing(dir: string): Promise<{ existed: boolean }> {
  let existed = true
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      existed = false
      return []
    }
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
  return { existed }
}

/** Everything in `dir` was written by this run (it was empty or missing before). */
async function removeGenerated(dir: string, existed: boolean): Promise<void> {
  if (!existed) return rm(dir, { recursive: true, force: true }).catch(() => undefined)
  const entries = await readdir(dir).catch(() => [] as string[])
  await Promise.all(entries.map((name) => rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined)))
}
