import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DatapubError } from '../../errors/datapub-error.js'
import { registerSecret } from '../../http/redact.js'
import type { CredentialResolver, RegistryCredentials } from '../../contract/registry-credentials.js'
import { runCredentialHelper } from './run-credential-helper.js'

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  registrytoken?: string
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>
  credsStore?: string
  credHelpers?: Record<string, string>
}

export interface DockerConfigCredentialsOptions {
  env?: NodeJS.ProcessEnv
  homedir?: string
  runHelper?: typeof runCredentialHelper
}

/**
 * Resolves registry credentials the way docker, skopeo and crane do: the Docker config
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`; credHelpers, then credsStore, then
 * auths), then `$REGISTRY_AUTH_FILE`, then podman's `$XDG_RUNTIME_DIR/containers/auth.json`.
 */
export function dockerConfigCredentials(options: DockerConfigCredentialsOptions = {}): CredentialResolver {
  const env = options.env ?? process.env
  const home = options.homedir ?? os.homedir()
  const runHelper = options.runHelper ?? runCredentialHelper
  const files = [
    path.join(env.DOCKER_CONFIG ?? path.join(home, '.docker'), 'config.json'),
    ...(env.REGISTRY_AUTH_FILE ? [env.REGISTRY_AUTH_FILE] : []),
    ...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')] : []),
  ]
  return async (registry) => {
    for (const file of files) {
      const config = await readConfig(file)
      if (config === undefined) continue
      const found = await fromConfig(config, registry, runHelper)
      if (found !== undefined) return found
    }
    return undefined
  }
}

async function fromConfig(config: DockerConfigFile, registry: string, runHelper: typeof runCredentialHelper): Promise<RegistryCredentials | undefined> {
  const keys = candidateKeys(registry)
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => keys.includes(normaliseKey(key)))?.[1]
  if (helper !== undefined) return runHelper(helper, serverUrl(registry))
  if (config.credsStore !== undefined && config.credsStore !== '') {
    const stored = await runHelper(config.credsStore, serverUrl(registry))
    if (stored !== undefined) return stored
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => keys.includes(normaliseKey(key)))?.[1]
  return entry === undefined ? undefined : fromEntry(entry, registry)
}

function fromEntry(entry: AuthEntry, registry: string): RegistryCredentials | undefined {
  if (entry.registrytoken) {
    registerSecret(entry.registrytoken)
    return { registryToken: entry.registrytoken }
  }
  let username = entry.username
  let password = entry.password
  if (entry.auth) {
    registerSecret(entry.auth)
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) {
      throw new DatapubError('REGISTRY_AUTH_FAILED', `The Docker config entry for ${registry} has an "auth" value that is not base64 of user:password.`, {
        fault: 'user',
        hint: `Run \`docker login ${registry}\` again.`,
      })
    }
    username = decoded.slice(0, colon)
    password = decoded.slice(colon + 1)
  }
  if (entry.identitytoken) {
    registerSecret(entry.identitytoken)
    return { identityToken: entry.identitytoken, ...(username ? { username } : {}) }
  }
  if (password === undefined || password === '') return undefined
  registerSecret(password)
  return { username: username ?? '', password }
}

async function readConfig(file: string): Promise<DockerConfigFile | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    return JSON.parse(text) as DockerConfigFile
  } catch {
    throw new DatapubError('CONFIG_INVALID', `${file} is not valid JSON.`, { fault: 'user', hint: 'Fix or remove the file; docker and skopeo would fail on it too.' })
  }
}

/** Docker Hub is stored under its legacy v1 URL; every other key may carry a scheme or a path. */
function candidateKeys(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    return ['index.docker.io', 'docker.io', 'registry-1.docker.io']
  }
  return [registry]
}

function normaliseKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? key
  return host.toLowerCase()
}

function serverUrl(registry: string): string {
  return candidateKeys(registry)[0] === 'index.docker.io' ? 'https://index.docker.io/v1/' : registry
}
