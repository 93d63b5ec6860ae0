import { registerSecret } from '../http/redact.js'
import type { PushTarget } from '../contract/provider-types.js'

/** Registers a push target's static secrets up front; a resolver's answers are registered by RegistryAuth as they arrive. */
export function registerCredentialSecrets(credentials: PushTarget['credentials']): void {
  if (credentials === undefined || typeof credentials === 'function') return
  registerSecret('password' in credentials ? credentials.password : credentials.registryToken)
}
