import { DatapubError, registerSecret } from '@datapub/core/kit'

/**
 * The token from the option, else the first env var set. Registered as a secret at once so
 * nothing downstream (errors, events, logs) can print it.
 */
/** For plan: which token is missing, without registering or using one. */
export function missingToken(option: string | undefined, env: Readonly<Record<string, string | undefined>>, envNames: string[]): string | undefined {
  if (option !== undefined || envNames.some((name) => env[name] !== undefined && env[name] !== '')) return undefined
  return `no API token: pass --token or set ${envNames.join(' or ')}.`
}

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
