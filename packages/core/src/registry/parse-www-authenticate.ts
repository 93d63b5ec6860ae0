export interface AuthChallenge {
  scheme: 'bearer' | 'basic'
  realm?: string
  service?: string
  scope?: string
  /** RFC 6750's reason: `invalid_token` (lapsed or revoked) or `insufficient_scope` (good, but not for this action). */
  error?: string
}

/** Parses the first Bearer or Basic challenge of a WWW-Authenticate header (quoted params, commas inside quotes). */
export function parseWwwAuthenticate(header: string | undefined): AuthChallenge | undefined {
  if (header === undefined) return undefined
  const match = /^\s*(bearer|basic)\b\s*(.*)$/is.exec(header)
  if (match === null) return undefined
  const scheme = match[1]!.toLowerCase() as 'bearer' | 'basic'
  const params: Record<string, string> = {}
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g
  for (const param of (match[2] ?? '').matchAll(pattern)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!
  }
  return {
    scheme,
    ...(params.realm === undefined ? {} : { realm: params.realm }),
    ...(params.service === undefined ? {} : { service: params.service }),
    ...(params.scope === undefined ? {} : { scope: params.scope }),
    ...(params.error === undefined ? {} : { error: params.error }),
  }
}
