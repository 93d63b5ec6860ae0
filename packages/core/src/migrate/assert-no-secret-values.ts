import { DatapubError } from '../errors/datapub-error.js'
import { isRegisteredSecret } from '../http/redact.js'
import type { DeploymentDescriptor } from '../contract/provider-types.js'

// Option keys that only ever hold credentials: their presence alone means a value leaked in.
const SECRET_KEYS = /^(api[_-]?key|token|password|passwd|secret|client[_-]?secret|private[_-]?key|credentials?|auth)$/i

/**
 * Refuses a descriptor that carries a secret value: descriptors are written to disk, mailed and
 * committed, so they hold env var NAMES only. Checks every string against the secrets this
 * process registered (tokens, DATASETTE_SECRET, plugin secrets) and any extra values given.
 */
export function assertNoSecretValues(descriptor: DeploymentDescriptor, extraSecrets: Iterable<string> = []): void {
  const extra = [...extraSecrets].filter((s) => s.length >= 4)
  const visit = (value: unknown, at: string): void => {
    if (typeof value === 'string') {
      if (isRegisteredSecret(value) || extra.some((s) => value.includes(s)) || [...value.split(/[=:]/)].some((part) => part.length >= 4 && isRegisteredSecret(part))) throw leak(at)
      return
    }
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${at}[${i}]`))
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const path = at === '' ? key : `${at}.${key}`
        if (SECRET_KEYS.test(key) && item !== undefined && item !== null && item !== '' && item !== false) throw leak(path)
        visit(item, path)
      }
    }
  }
  visit(descriptor, '')
}

function leak(path: string): DatapubError {
  return new DatapubError('MIGRATE_DESCRIPTOR_HAS_SECRET', `The descriptor holds a secret value at ${path}; descriptors carry environment variable names only.`, {
    fault: 'internal',
    path,
    hint: 'This is a bug in the exporting provider: report it. The descriptor was not written.',
  })
}
