import type { Emit } from '@datapub/core/kit'
import { app, type FlyApi } from './fly-api.js'
import type { FlySecretsUpdate } from './fly-types.js'

/**
 * Deploy-time secrets (DATASETTE_SECRET, plugin secrets) become Fly app secrets the way flyctl
 * sets them today: one POST of `{values}` to the Machines API secrets endpoint (flyctl
 * internal/appsecrets/secrets.go Update → fly-go flaps_secrets.go UpdateAppSecrets). Fly
 * injects them into machines as env at start; they are never in a machine config or an image.
 * Returns the secrets version to pass as `min_secrets_version`, so new machines see them.
 */
export async function setSecrets(api: FlyApi, name: string, values: Record<string, string>, emit: Emit, signal: AbortSignal): Promise<number | undefined> {
  const names = Object.keys(values).sort()
  if (names.length === 0) return undefined
  const { body } = await api.request<FlySecretsUpdate>({ method: 'POST', path: `${app(name)}/secrets`, json: { values }, signal, idempotent: true })
  emit({ type: 'deploy:status', state: 'secrets', message: `set ${names.length} app secret${names.length === 1 ? '' : 's'}: ${names.join(', ')}` })
  return typeof body.version === 'number' ? body.version : undefined
}

export async function listSecretNames(api: FlyApi, name: string, signal: AbortSignal): Promise<string[]> {
  const { body } = await api.request<{ secrets?: Array<{ name: string }> }>({ method: 'GET', path: `${app(name)}/secrets`, signal })
  return (body.secrets ?? []).map((s) => s.name).sort()
}
