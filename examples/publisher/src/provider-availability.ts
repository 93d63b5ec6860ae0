import { access } from 'node:fs/promises'
import path from 'node:path'
import { connectEngine } from '@datapub/core'

export interface Availability {
  available: boolean
  /** Why it cannot be used, in words for the page. Names env variables, never their values. */
  reason?: string
}

type Env = Readonly<Record<string, string | undefined>>
const set = (env: Env, name: string): boolean => (env[name] ?? '') !== ''
const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false)

/** Whether the server holds what the provider needs: an engine for local, credentials for the hosts. */
export async function providerAvailability(name: string, env: Env): Promise<Availability> {
  switch (name) {
    case 'local':
      return connectEngine({ env, timeoutMs: 3000 }).then(
        () => ({ available: true }),
        () => ({ available: false, reason: 'No Docker engine answers at the server\'s DOCKER_HOST.' }),
      )
    case 'heroku':
      return set(env, 'HEROKU_API_KEY') ? { available: true } : { available: false, reason: 'The server has no HEROKU_API_KEY.' }
    case 'fly':
      return set(env, 'FLY_API_TOKEN') || set(env, 'FLY_ACCESS_TOKEN') ? { available: true } : { available: false, reason: 'The server has no FLY_API_TOKEN.' }
    case 'now':
      return set(env, 'NOW_TOKEN') ? { available: true } : { available: false, reason: 'The server has no NOW_TOKEN.' }
    case 'vercel':
      return set(env, 'VERCEL_TOKEN') || set(env, 'NOW_TOKEN') ? { available: true } : { available: false, reason: 'The server has no VERCEL_TOKEN.' }
    case 'cloudrun': {
      const explicit = env.GOOGLE_APPLICATION_CREDENTIALS
      const configDir = env.CLOUDSDK_CONFIG ?? (env.HOME === undefined ? undefined : path.join(env.HOME, '.config', 'gcloud'))
      const file = explicit || (configDir === undefined ? undefined : path.join(configDir, 'application_default_credentials.json'))
      return file !== undefined && (await exists(file))
        ? { available: true }
        : { available: false, reason: 'The server has no Google credentials (GOOGLE_APPLICATION_CREDENTIALS or gcloud application-default login).' }
    }
    default:
      // Plugins and registered providers: their own checkAuth decides at publish time.
      return { available: true }
  }
}
