import { defineProvider, isHttpError, mapBounded, mapHttpError } from '@datapub/core/kit'
import { deployApp } from './deploy-app.js'
import { exportApp, summarizeApp } from './describe-app.js'
import { ensureApp, getApp, notFound } from './ensure-app.js'
import { app as appPath, bodyError } from './fly-api.js'
import { openRuntime, type FlyRuntime } from './fly-runtime.js'
import { META, type FlyAppListItem } from './fly-types.js'
import { FLY_LIMITS } from './limits.js'
import { listMachines } from './machines.js'
import { VOLUME_PATH } from './machine-config.js'
import { flyOptionsSchema, type FlyOptions } from './options.js'
import { flyPushTarget } from './push-target.js'
import { rollbackApp } from './rollback-app.js'

/** Fly.io through the Machines API (api.machines.dev) and registry.fly.io; no flyctl. */
export const fly = defineProvider({
  name: 'fly',
  apiVersion: 1,
  title: 'Fly.io (Machines API)',
  description: 'Pushes the image to registry.fly.io and runs it on Fly Machines behind the Fly proxy, with app secrets and an optional volume for a writable database.',
  options: flyOptionsSchema,
  accepts: 'image',
  limits: FLY_LIMITS,
  // --create-db: Datasette serves /data/NAME.db read-write beside the immutable databases and
  // creates it on first start (`--create`, as datasette-publish-fly does). The volume mounts
  // root-owned, so the server runs as root on the base runtime.
  recipe: (options) => (options.createDb === undefined ? {} : { serveOptions: [`${VOLUME_PATH}/${options.createDb}.db`, '--create'], runtime: 'base', user: 'root' }),
  create(context) {
    const options = context.options as FlyOptions
    let opened: FlyRuntime | undefined
    const rt = (): FlyRuntime => (opened ??= openRuntime({ options, env: context.env, http: context.http, emit: context.emit, signal: context.signal }))
    const orgApps = async (signal: AbortSignal): Promise<FlyAppListItem[]> => {
      const { body } = await rt()
        .api.request<{ apps?: FlyAppListItem[] }>({ method: 'GET', path: '/v1/apps', query: { org_slug: options.org }, signal })
        .catch((error: unknown) => {
          throw mapHttpError(error, { 404: { code: 'FLY_ORG_NOT_FOUND', message: (e) => `Fly has no organisation "${options.org}" for this token${bodyError(e)}.`, fault: 'user', hint: '`fly orgs list` shows the slugs; pass one with --org.' } })
        })
      return body.apps ?? []
    }
    return {
      async checkAuth(signal) {
        // Listing the organisation's apps proves the token and the org slug before anything is built.
        const apps = await orgApps(signal ?? context.signal)
        return { account: `organisation ${options.org}`, org: options.org, apps: apps.length }
      },
      async pushTarget(input, signal) {
        // The registry takes pushes for an existing app only, and a taken name must fail before the upload.
        await ensureApp(rt().api, input.name, options.org, context.emit, signal ?? context.signal)
        return flyPushTarget(input.name, input.contextHash, rt().token, options.registryUrl)
      },
      deploy: async (input) => deployApp(rt(), input),
      async status(id, signal) {
        const s = signal ?? context.signal
        const app = await getApp(rt().api, id, s)
        return summarizeApp(rt(), app, await listMachines(rt().api, id, s))
      },
      async list(signal) {
        const s = signal ?? context.signal
        const apps = await orgApps(s)
        // Fly apps carry no labels: datapub's are the ones whose machines it made.
        // An app deleted (or moved) between the two reads is simply not listed; any other failure is.
        const described = await mapBounded(apps, 4, async (a) => ({ a, machines: await listMachines(rt().api, a.name, s).catch((error: unknown) => (isHttpError(error) && (error.status === 404 || error.status === 403) ? [] : Promise.reject(error))) }), s)
        return described
          .filter(({ machines }) => machines.some((m) => m.config?.metadata?.[META.managedBy] === 'datapub'))
          .map(({ a, machines }) => summarizeApp(rt(), { id: a.id, name: a.name }, machines))
          .sort((x, y) => x.name.localeCompare(y.name))
      },
      async destroy(id, signal) {
        const s = signal ?? context.signal
        await getApp(rt().api, id, s)
        const response = await rt().api.request({ method: 'DELETE', path: appPath(id), accept: [404], signal: s })
        if (response.status === 404) throw notFound(id)
        context.emit({ type: 'deploy:status', state: 'deleted', message: `deleted the Fly app ${id} with its machines and volumes` })
      },
      rollback: async (id, signal) => rollbackApp(rt(), id, signal ?? context.signal),
      async export(id, signal) {
        const s = signal ?? context.signal
        const app = await getApp(rt().api, id, s)
        return exportApp(rt(), app, await listMachines(rt().api, id, s))
      },
    }
  },
})
