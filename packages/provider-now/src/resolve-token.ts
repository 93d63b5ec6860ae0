import { DatapubError, registerSecret } from '@datapub/core/kit'

/**
 * The token from the option, else the first env var set. Registered as a secret at once so
 * nothing downstream (errors, events, logs) can print it.
 */
export function resolveToken(provider: string, option: string | undefined, env: Readonly<Record<string, string | undefined>>, envNames: string[]): string {
  const token = option ?? envNames.map((name) => env[name]).find((value) => value !== undefined && value !== '')
  if (token === undefined) {
    throw new DatapubError('AUTH_MISSING', `No ${provider} API token: pass --token or set ${envNames.join(' or ')}.`, {
      fault: 'user',
      provider,
      path: 'token',
      details: { provider },
      hint: `Create a token in the account settings and export ${envNames[0]}.`,
    })
  }
  registerSecret(token)
  return token
}
