/** Team scope as the API wants it: ids (`team_…`) go in teamId, anything else is a slug. */
export function scopeParams(scope: string | undefined): Record<string, string> {
  if (scope === undefined) return {}
  return scope.startsWith('team_') ? { teamId: scope } : { slug: scope }
}
