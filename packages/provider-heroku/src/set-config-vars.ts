import type { HerokuApi } from './heroku-api.js'

/**
 * Deploy-time secrets (DATASETTE_SECRET, plugin secrets) and --config-var values go to the app's
 * config vars, never into the image. One PATCH, and only when there is something to set: each
 * change makes a release and restarts the dynos.
 */
export async function setConfigVars(api: HerokuApi, app: string, vars: Record<string, string>, signal: AbortSignal): Promise<void> {
  if (Object.keys(vars).length === 0) return
  await api.patch(`/apps/${encodeURIComponent(app)}/config-vars`, { body: vars, signal })
}
