import { access } from 'node:fs/promises'
import path from 'node:path'
import { connectEngine } from '@datapub/core'

export interface Availability {
  available: boolean
  /** Why it cannot be used, in words for the page: no setting names, no values. */
  reason?: string
  /** What the operator should set, for the server's log only (names env variables, never their values). */
  operatorHint?: string
}

const notSetUp = (what: string, operatorHint: string): Availability => ({ available: false, reason: `Not set up on this server: ${what}.`, operatorHint })

type Env = Readonly<Record<string, string | undefined>>
const set = (env: Env, name: string): boolean => (env[name] ?? '') !== ''
const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false)

/** Whether the server holds what the provider needs: an engine for local, credentials for the hosts. */
export async function providerAvailability(name: string, env: Env): Promise<Availability> {
  switch (name) {
    case 'local':
      return connectEngine({ env, timeoutMs: 3000 }).then(
        () => ({ available: true }),
        () => ({ available: false, reason: 'Publishing on this server is switched off right now.', operatorHint: 'No Docker engine answers at DOCKER_HOST.' }),
      )
    case 'heroku':
      return set(env, 'HEROKU_API_KEY') ? { available: true } : notSetUp('no Heroku account was added', 'Set HEROKU_API_KEY.')
    case 'fly':
      return set(env, 'FLY_API_TOKEN') || set(env, 'FLY_ACCESS_TOKEN') ? { available: true } : notSetUp('no Fly.io account was added', 'Set FLY_API_TOKEN.')
    case 'now':
      return set(env, 'NOW_TOKEN') ? { available: true } : notSetUp('no Zeit Now account was added', 'Set NOW_TOKEN.')
    case 'vercel':
      return set(env, 'VERCEL_TOKEN') || set(env, 'NOW_TOKEN') ? { available: true } : notSetUp('no Vercel account was added', 'Set VERCEL_TOKEN.')
    case 'cloudrun': {
      const explicit = env.GOOGLE_APPLICATION_CREDENTIALS
      const configDir = env.CLOUDSDK_CONFIG ?? (env.HOME === undefined ? undefined : path.join(env.HOME, '.config', 'gcloud'))
      const file = explicit || (configDir === undefined ? undefined : path.join(configDir, 'application_default_credentials.json'))
      return file !== undefined && (await exists(file))
        ? { available: true }
        : notSetUp('no Google Cloud account was added', 'Set GOOGLE_APPLICATION_CREDENTIALS or run gcloud auth application-default login.')
    }
    default:
      // Plugins and registered providers: their own checkAuth decides at publish time.
      return { available: true }
  }
}
