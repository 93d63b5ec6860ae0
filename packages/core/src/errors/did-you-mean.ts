/**
 * The candidate closest to `word` by edit distance, when it is close enough to be a typo (at most
 * a third of the word, and 3 edits); undefined otherwise, so a message never suggests a stranger.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  let best: { candidate: string; d: number } | undefined
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d <= limit && (best === undefined || d < best.d)) best = { candidate, d }
  }
  return best?.candidate
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] || swap ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] as number
}
