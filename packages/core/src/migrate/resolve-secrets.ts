import { readFile } from 'node:fs/promises'
import { DatapubError } from '../errors/datapub-error.js'
import { registerSecret } from '../http/redact.js'

export interface SecretSources {
  env?: Readonly<Record<string, string | undefined>>
  /** Values from `--secrets-file` (JSON object or dotenv), already read. */
  file?: Record<string, string>
  /** Explicit values, e.g. from a publisher app. Win over everything. */
  values?: Record<string, string>
}

// Hosts set these themselves; asking the user for them would be wrong.
const HOST_SET = new Set(['PORT'])

/**
 * Finds a value for every env var NAME a descriptor lists: explicit values, then the secrets
 * file, then `DATAPUB_SECRET_<NAME>`, then `<NAME>` itself. All missing names are reported at
 * once, before any change on any host.
 */
export function resolveSecrets(names: readonly string[], sources: SecretSources): Record<string, string> {
  const out: Record<string, string> = {}
  const missing: string[] = []
  for (const name of names) {
    if (HOST_SET.has(name)) continue
    const value = sources.values?.[name] ?? sources.file?.[name] ?? sources.env?.[`DATAPUB_SECRET_${name}`] ?? sources.env?.[name]
    if (value === undefined) missing.push(name)
    else {
      registerSecret(value)
      out[name] = value
    }
  }
  if (missing.length > 0) {
    throw new DatapubError('MIGRATE_SECRET_MISSING', `No value for ${missing.join(', ')}: the deployment needs ${missing.length === 1 ? 'this variable' : 'these variables'}, and descriptors never carry values.`, {
      fault: 'user',
      path: `secrets.${missing[0]}`,
      hint: `Set ${missing.map((n) => `DATAPUB_SECRET_${n}`).join(', ')} (or ${missing.join(', ')}) in the environment, or pass --secrets-file with them.`,
      details: { missing },
    })
  }
  return out
}

/** Reads `--secrets-file`: a JSON object of strings, or dotenv lines (`NAME=value`, `#` comments, optional quotes). */
export async function readSecretsFile(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DatapubError('INPUT_NOT_FOUND', `Cannot read the secrets file ${file}: ${error.code ?? error.message}.`, { path: 'secretsFile' })
  })
  const out: Record<string, string> = {}
  if (text.trimStart().startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new DatapubError('CONFIG_INVALID', `The secrets file ${file} is not valid JSON: ${(error as Error).message}.`, { path: 'secretsFile' })
    }
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new DatapubError('CONFIG_INVALID', `The secrets file ${file}: ${key} must be a string.`, { path: `secretsFile.${key}` })
      out[key] = value
    }
  } else {
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim()
      if (line === '' || line.startsWith('#')) return
      const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
      if (match === null) throw new DatapubError('CONFIG_INVALID', `The secrets file ${file}, line ${index + 1}: expected NAME=value.`, { path: 'secretsFile' })
      const value = match[2]!
      out[match[1]!] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value
    })
  }
  for (const value of Object.values(out)) registerSecret(value)
  return out
}
