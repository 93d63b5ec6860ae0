import { execFile } from 'node:child_process'
import { DatapubError } from '../../errors/datapub-error.js'
import { registerSecret } from '../../http/redact.js'
import type { RegistryCredentials } from '../../contract/registry-credentials.js'

const HELPER_NAME = /^[A-Za-z0-9._-]+$/

/**
 * Runs `docker-credential-<name> get` (no shell) with the server URL on stdin. "Not found"
 * answers resolve to undefined so the next source can be tried.
 */
export function runCredentialHelper(name: string, serverUrl: string, timeoutMs = 30_000): Promise<RegistryCredentials | undefined> {
  if (!HELPER_NAME.test(name)) {
    return Promise.reject(new DatapubError('CONFIG_INVALID', `The credential helper name "${name}" is not a plain program name.`, { fault: 'user', path: 'credHelpers' }))
  }
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${name}`, ['get'], { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        const text = `${stdout}${stderr}`
        if (/credentials not found/i.test(text)) return resolve(undefined)
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
        return reject(
          new DatapubError('REGISTRY_AUTH_FAILED', missing ? `The credential helper docker-credential-${name} is not installed.` : `The credential helper docker-credential-${name} failed for ${serverUrl}.`, {
            fault: 'user',
            hint: missing ? 'Install it or remove it from credsStore/credHelpers in the Docker config.' : 'Run `docker login` for this registry again.',
            // The helper's output may contain the secret; it is not kept.
            details: { helper: name, serverUrl },
          }),
        )
      }
      try {
        const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string }
        if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return resolve(undefined)
        registerSecret(parsed.Secret)
        // Docker's convention: a helper answering Username "<token>" holds an identity (refresh) token.
        if (parsed.Username === '<token>') return resolve({ identityToken: parsed.Secret })
        resolve({ username: parsed.Username ?? '', password: parsed.Secret })
      } catch {
        reject(new DatapubError('REGISTRY_AUTH_FAILED', `The credential helper docker-credential-${name} printed something that is not JSON.`, { fault: 'user', details: { helper: name } }))
      }
    })
    child.stdin?.end(serverUrl)
  })
}
