/** Deployments carry the NAMES of their env vars in `meta`, so export can report them. Never values. */
export const META_ENV_NAMES = 'datapubEnvNames'
export const META_NAME = 'datapubName'

export function metaFor(name: string, env: Record<string, string>): Record<string, string> {
  return { [META_NAME]: name, [META_ENV_NAMES]: Object.keys(env).sort().join(',') }
}

export function envNamesFromMeta(meta: unknown, env?: unknown): string[] {
  const fromMeta = (meta as Record<string, unknown> | undefined)?.[META_ENV_NAMES]
  if (typeof fromMeta === 'string') return fromMeta.split(',').filter(Boolean)
  if (Array.isArray(env)) return env.filter((e): e is string => typeof e === 'string')
  return typeof env === 'object' && env !== null ? Object.keys(env).sort() : []
}
