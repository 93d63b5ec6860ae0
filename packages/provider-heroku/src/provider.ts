import { DatapubError, defineProvider, registerSecret, type DeployInput, type DeploymentResult } from '@datapub/core/kit'
import { appSummary } from './app-summary.js'
import { deployBuild } from './deploy-build.js'
import { deployImage } from './deploy-image.js'
import { ensureApp } from './ensure-app.js'
import { exportApp } from './export-app.js'
import { createHerokuApi, type HerokuApi } from './heroku-api.js'
import type { HerokuAccount, HerokuApp, HerokuDyno } from './heroku-types.js'
import { latestRelease } from './latest-release.js'
import { HEROKU_LIMITS } from './limits.js'
import { configVarMap, herokuOptionsSchema, type HerokuOptions } from './options.js'
import { herokuPushTarget, herokuRegistry } from './push-target.js'
import { resolveConfigDigest } from './resolve-config-digest.js'
import { rollbackApp } from './rollback-app.js'
import { herokuStatus } from './to-heroku-error.js'

/** Heroku: an engine-built image through the container registry, or Heroku's own Docker build. */
export const heroku = defineProvider({
  name: 'heroku',
  apiVersion: 1,
  title: 'Heroku',
  description: 'Pushes the image to registry.heroku.com and releases it on the container stack, or lets Heroku build the context (--path build).',
  options: herokuOptionsSchema,
  // The build path takes a context; the pipeline picks one kind per provider today (see README).
  accepts: 'image',
  limits: HEROKU_LIMITS,
  missingCredentials: (options, env) => (options.apiKey ?? env.HEROKU_API_KEY ? undefined : 'no API key: set HEROKU_API_KEY or pass --api-key (`heroku auth:token` prints one).'),
  create(context) {
    const options = context.options as HerokuOptions
    const apiKey = options.apiKey ?? context.env.HEROKU_API_KEY
    registerSecret(apiKey)
    let client: HerokuApi | undefined
    const api = (): HerokuApi => {
      if (apiKey === undefined || apiKey === '') {
        throw new DatapubError('AUTH_MISSING', 'No Heroku API key.', { fault: 'user', provider: 'heroku', details: { provider: 'heroku' }, path: 'apiKey', hint: 'Set HEROKU_API_KEY or pass --api-key; `heroku auth:token` prints one.' })
      }
      return (client ??= createHerokuApi({ apiKey, http: context.http, ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }) }))
    }
    const key = (): string => (api(), apiKey as string)
    const registry = herokuRegistry(options.registryUrl)
    const findApp = async (id: string, signal: AbortSignal): Promise<HerokuApp> =>
      api()
        .get<HerokuApp>(`/apps/${encodeURIComponent(id)}`, { signal })
        .catch((error: unknown) => {
          if (herokuStatus(error) !== 404) throw error
          throw new DatapubError('DEPLOYMENT_NOT_FOUND', `No Heroku app named "${id}".`, { fault: 'user', provider: 'heroku', hint: 'List deployments with `datapub list heroku`.', cause: error })
        })

    const deploy = async (input: DeployInput): Promise<DeploymentResult> => {
      const artifact = input.artifact
      if (artifact.kind === 'bundle') throw pathUnavailable('Heroku deploys an image or a build context, not a file bundle.', 'This is a pipeline bug; report it.')
      const path = options.path ?? (artifact.kind === 'image' ? 'container' : 'build')
      const vars = { ...configVarMap(options.configVar), ...input.env }
      const app = await ensureApp(api(), input.name, options, context.emit, input.signal)
      if (path === 'container') {
        if (artifact.kind !== 'image') throw pathUnavailable('--path container needs an image built on a Docker engine, and this publish has only a build context.', 'Omit --path (or pass --path build) to let Heroku build the context.')
        const configDigest = await resolveConfigDigest(artifact, context.http, key(), registry.insecure, input.signal)
        return deployImage(api(), { app, artifact, configDigest, vars, signal: input.signal }, options, context.emit, { http: context.http, logger: context.logger })
      }
      if (artifact.kind !== 'context') throw pathUnavailable('--path build needs the build context, and this publish handed Heroku a built image.', 'Omit --path to release the built image through the container registry.')
      return deployBuild({ api: api(), http: context.http, emit: context.emit, logger: context.logger }, { app, artifact, vars, signal: input.signal }, options)
    }

    return {
      async checkAuth(signal) {
        const account = await api().get<HerokuAccount>('/account', { signal })
        return { account: account.email ?? account.id ?? 'Heroku account' }
      },
      async pushTarget(input, signal) {
        // Heroku's registry only takes pushes for an existing app, and a taken name must fail before the upload.
        const app = await ensureApp(api(), input.name, options, context.emit, signal)
        return herokuPushTarget(app.name, input.contextHash, key(), options.registryUrl)
      },
      deploy,
      async status(id, signal) {
        const app = await findApp(id, signal)
        const [release, dynos] = await Promise.all([latestRelease(api(), app.name, signal), api().get<HerokuDyno[]>(`/apps/${encodeURIComponent(app.name)}/dynos`, { signal })])
        return appSummary(app, release, dynos)
      },
      async list(signal) {
        // Heroku apps carry no labels: datapub's apps are the ones on the container stack.
        const apps = await api().get<HerokuApp[]>('/apps', { signal })
        return apps
          .filter((a) => a.stack?.name === 'container' || a.build_stack?.name === 'container')
          .map((a) => appSummary(a))
          .sort((a, b) => a.name.localeCompare(b.name))
      },
      async destroy(id, signal) {
        await api()
          .delete(`/apps/${encodeURIComponent(id)}`, { signal })
          .catch((error: unknown) => {
            if (herokuStatus(error) !== 404) throw error
            throw new DatapubError('DEPLOYMENT_NOT_FOUND', `No Heroku app named "${id}".`, { fault: 'user', provider: 'heroku', hint: 'List deployments with `datapub list heroku`.', cause: error })
          })
      },
      async rollback(id, signal) {
        return rollbackApp(api(), await findApp(id, signal), { timeoutMs: options.releaseTimeout * 1000, intervalMs: options.pollInterval, signal, emit: context.emit })
      },
      async export(id, signal) {
        return exportApp(api(), await findApp(id, signal), registry.host, signal)
      },
    }
  },
})

function pathUnavailable(message: string, hint: string): DatapubError {
  return new DatapubError('HEROKU_PATH_UNAVAILABLE', message, { fault: 'user', provider: 'heroku', path: 'path', hint })
}
