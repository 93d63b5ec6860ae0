import { DatapubError } from '../errors/datapub-error.js'

/** Hosts Docker itself talks plain http to. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/

export interface RegistryLocation {
  /** `host[:port]`, as a PushTarget's `registry`. */
  host: string
  /** Plain http: the URL said `http://`, or it named a loopback host without a scheme. */
  insecure: boolean
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host)
}

/**
 * Reads a `--registry-url` option (`host[:port]`, optionally with `http://` or `https://`),
 * falling back to the host's own registry. An explicit scheme wins; without one, loopback hosts
 * are plain http as Docker allows. A path is refused rather than silently dropped.
 */
export function registryLocation(registryUrl: string | undefined, defaultHost?: string, option = 'registryUrl'): RegistryLocation {
  const raw = registryUrl?.trim()
  if (raw === undefined || raw === '') {
    if (defaultHost === undefined) throw new DatapubError('CONFIG_INVALID', `No registry given: set ${option}.`, { fault: 'user', path: option })
    return { host: defaultHost, insecure: false }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase()
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw new DatapubError('CONFIG_INVALID', `Registry URL ${raw} uses ${scheme}://; a registry speaks http or https.`, { fault: 'user', path: option, hint: 'Give host[:port], or prefix http:// or https://.' })
  }
  const host = raw.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '')
  if (host === '' || /[/\s?#@]/.test(host)) {
    throw new DatapubError('CONFIG_INVALID', `Registry URL ${raw} is not host[:port].`, { fault: 'user', path: option, hint: 'Give the registry as host[:port], e.g. 127.0.0.1:5000; the repository is chosen by the provider.' })
  }
  return { host, insecure: scheme === 'http' || (scheme === undefined && isLoopbackHost(host)) }
}
