/** Quotes an SQL identifier: any header, even `select` or `a"b`, becomes a safe name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
