export interface ContentTagOptions {
  /** Default `ctx-`. */
  prefix?: string
  /** Hex characters of the hash kept (default 40). */
  length?: number
}

/**
 * A registry tag derived from the build context's hash, so two publishes at once never push to
 * the same tag, and the same inputs always land on the same one. Tags allow [A-Za-z0-9_.-], at
 * most 128 characters (OCI distribution spec).
 */
export function contentTag(contextHash: string, options: ContentTagOptions = {}): string {
  const prefix = options.prefix ?? 'ctx-'
  const clean = contextHash.replace(/^sha256:/, '').replace(/[^A-Za-z0-9_.-]/g, '-')
  return `${prefix}${clean.slice(0, Math.max(1, Math.min(options.length ?? 40, 128 - prefix.length)))}`
}
