import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { registerSecret } from '@datapub/core/kit'
import type { GoogleAuth } from 'google-auth-library'
import { cloudrunError } from './cloudrun-error.js'
import type { CloudrunOptions } from './options.js'
import { googleAccessTokens, type AccessToken, type GoogleAuthClient } from './google-access-tokens.js'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

export interface GoogleSession {
  auth: GoogleAuth
  projectId: string
  /** Who we act as, without secrets: a service-account email or "user credentials". */
  account: string
  /** A fresh OAuth2 access token (cached by google-auth-library until it nears expiry); registered as a secret. */
  accessToken(): Promise<string>
  /** The same with its expiry; `refresh` forces a new token when the library would hand out the last one again. */
  token(request?: { refresh?: boolean }): Promise<AccessToken>
}

interface CredentialsFile {
  type?: string
  client_email?: string
  project_id?: string
  quota_project_id?: string
  private_key?: string
  private_key_id?: string
  refresh_token?: string
  client_id?: string
  client_secret?: string
}

/**
 * Application Default Credentials, read from the provider's env rather than process.env so a
 * publisher app can run several identities side by side: --key-file, then
 * GOOGLE_APPLICATION_CREDENTIALS, then gcloud's application_default_credentials.json.
 */
export async function openGoogleSession(options: CloudrunOptions, env: Readonly<Record<string, string | undefined>>): Promise<GoogleSession> {
  const file = credentialsPath(options, env)
  if (file === undefined) throw missing('No Google credentials found (no --key-file, GOOGLE_APPLICATION_CREDENTIALS or gcloud ADC file).')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw missing(`The Google credentials file ${file} cannot be read.`)
  }
  let json: CredentialsFile
  try {
    json = JSON.parse(text) as CredentialsFile
  } catch (error) {
    throw cloudrunError('CLOUDRUN_AUTH_INVALID', `The Google credentials file ${file} is not JSON.`, 'user', 'Point --key-file at a service-account key or an ADC file written by `gcloud auth application-default login`.', error)
  }
  for (const secret of [json.private_key, json.refresh_token, json.client_secret]) registerSecret(secret)
  const projectId = options.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.CLOUDSDK_CORE_PROJECT ?? env.GCLOUD_PROJECT ?? json.project_id ?? json.quota_project_id
  if (projectId === undefined || projectId === '') {
    throw cloudrunError('CLOUDRUN_PROJECT_MISSING', 'No Google Cloud project given.', 'user', 'Pass --project, or set GOOGLE_CLOUD_PROJECT.')
  }
  // Loaded here so the SDK costs nothing unless Cloud Run is used.
  const google = await import('google-auth-library')
  const auth = new google.GoogleAuth({ authClient: authClientFor(google, json), scopes: [CLOUD_PLATFORM_SCOPE], projectId })
  const tokens = googleAccessTokens(async () => (await auth.getClient()) as unknown as GoogleAuthClient)
  const token = async (request?: { refresh?: boolean }): Promise<AccessToken> => {
    try {
      return await tokens(request)
    } catch (error) {
      if ((error as { code?: string }).code === 'NO_TOKEN') throw cloudrunError('CLOUDRUN_AUTH_INVALID', 'Google returned no access token.', 'user', 'Refresh the credentials with `gcloud auth application-default login`.')
      throw tokenError(error)
    }
  }
  return {
    auth,
    projectId,
    account: json.client_email ?? (json.type === 'authorized_user' ? 'user credentials (ADC)' : `${json.type ?? 'unknown'} credentials`),
    accessToken: async () => (await token()).token,
    token,
  }
}

type GoogleModule = typeof import('google-auth-library')

/** The two kinds gcloud and the IAM console write are built directly; other kinds (external accounts, impersonation) go through the library's own JSON loader. */
function authClientFor(google: GoogleModule, json: CredentialsFile) {
  if (json.type === 'authorized_user') {
    return new google.UserRefreshClient({ clientId: json.client_id, clientSecret: json.client_secret, refreshToken: json.refresh_token, ...(json.quota_project_id ? { quotaProjectId: json.quota_project_id } : {}) })
  }
  if (json.type === 'service_account') {
    return new google.JWT({ email: json.client_email, key: json.private_key, keyId: json.private_key_id, scopes: [CLOUD_PLATFORM_SCOPE] })
  }
  if (typeof json.type !== 'string') {
    throw cloudrunError('CLOUDRUN_AUTH_INVALID', 'The Google credentials file has no "type".', 'user', 'Use a service-account key or an ADC file written by `gcloud auth application-default login`.')
  }
  const loader = new google.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] })
  // external_account, impersonated_service_account, gdch...: google-auth-library checks the rest of the shape itself.
  return loader.fromJSON(json as Parameters<typeof loader.fromJSON>[0])
}

export function credentialsPath(options: CloudrunOptions, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (options.keyFile !== undefined) return options.keyFile
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS
  const configDir = env.CLOUDSDK_CONFIG ?? (env.HOME ? path.join(env.HOME, '.config', 'gcloud') : env.APPDATA ? path.join(env.APPDATA, 'gcloud') : undefined)
  return configDir === undefined ? undefined : path.join(configDir, 'application_default_credentials.json')
}

function missing(message: string) {
  return cloudrunError('AUTH_MISSING', message, 'user', 'Run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or pass --key-file.', undefined, { provider: 'cloudrun' })
}

/** The token endpoint answers 400 invalid_grant for revoked or expired refresh tokens; that is the user's to fix. */
function tokenError(error: unknown) {
  const status = (error as { status?: number; response?: { status?: number } }).response?.status ?? (error as { status?: number }).status
  const body = (error as { response?: { data?: { error?: string; error_description?: string } } }).response?.data
  const reason = body?.error_description ?? body?.error ?? (error as Error).message
  if (status !== undefined && status >= 400 && status < 500) {
    return cloudrunError('CLOUDRUN_AUTH_INVALID', `Google refused the credentials: ${reason}.`, 'user', 'Refresh them with `gcloud auth application-default login`, or use a valid service-account key.', error)
  }
  return cloudrunError('CLOUDRUN_AUTH_FAILED', `Could not get a Google access token: ${reason}.`, 'host', 'Check the network to oauth2.googleapis.com and retry.', error)
}
