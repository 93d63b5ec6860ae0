/**
 * Makes header names usable as SQLite columns: an empty header becomes `untitled_N` (N its
 * 1-based position, sqlite-utils' name for header-less columns), and a repeat of an earlier name
 * (compared case-insensitively, as SQLite does) gets `_2`, `_3` ... Earlier columns keep
 * their names, so the result depends only on the header row.
 */
export function uniqueHeaders(raw: string[]): string[] {
  const taken = new Set<string>()
  const result: string[] = []
  raw.forEach((header, index) => {
    const base = header.trim() === '' ? `untitled_${index + 1}` : header
    let name = base
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}_${i}`
    taken.add(name.toLowerCase())
    result.push(name)
  })
  return result
}
