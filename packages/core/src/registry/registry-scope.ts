/** A token scope for a repository, as distribution's token spec writes it. */
export function scope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`
}
