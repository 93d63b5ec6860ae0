export interface DockerInstruction {
  instruction: string
  /** Text after the keyword, continuations joined. */
  args: string
  /** The exec form's argv when the arguments are a JSON array of strings (Docker's rule). */
  json?: string[]
}

/**
 * Enough of Docker's parser to audit a generated Dockerfile: comment lines, `\` continuations
 * (comment lines inside a continuation are dropped, as BuildKit and the classic builder do),
 * the keyword, and JSON exec form, which Docker only takes when the whole argument parses.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = []
  let pending: string | undefined
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (pending === undefined && (line.trim() === '' || line.trimStart().startsWith('#'))) continue
    if (pending !== undefined && line.trimStart().startsWith('#')) continue
    const joined = pending === undefined ? line : pending + line
    if (/\\\s*$/.test(joined)) {
      pending = joined.replace(/\\\s*$/, '')
      continue
    }
    pending = undefined
    // `s`: U+2028 is a line terminator for JS regexes but an ordinary character for Docker (Go).
    const match = /^\s*(\S+)\s*(.*)$/s.exec(joined)
    if (!match) continue
    const instruction = match[1]!.toUpperCase()
    const args = match[2]!.trim()
    let json: string[] | undefined
    if (args.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(args)
        if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) json = parsed
      } catch {
        json = undefined
      }
    }
    out.push({ instruction, args, ...(json ? { json } : {}) })
  }
  if (pending !== undefined) out.push({ instruction: 'UNTERMINATED', args: pending })
  return out
}
