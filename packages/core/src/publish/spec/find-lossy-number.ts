import { classifyField, LOOKS_REAL } from '../../data/classify-field.js'

/** A number literal in a metadata file that a JavaScript number cannot carry unchanged. */
export interface LossyNumber {
  literal: string
  /** 1-based line and column of the literal in the file. */
  line: number
  column: number
}

const encoder = new TextEncoder()

/**
 * True when a decimal literal reads back from a double as the same value and sign: metadata is
 * parsed into JavaScript numbers and written out again as JSON, so `12345678901234567890` would
 * lose digits, `1e400` would become `null` and `-0` would lose its sign, with nothing said.
 */
export function keepsDecimal(literal: string): boolean {
  const bytes = encoder.encode(literal)
  if ((classifyField(bytes, 0, bytes.length) & LOOKS_REAL) === 0) return false
  return !Object.is(Number(literal), -0)
}

/** The first number literal of a JSON text (outside strings) that does not survive a JavaScript round trip. */
export function findLossyJsonNumber(text: string): LossyNumber | undefined {
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      // Skip a string, escapes included: digits inside strings are text and stay exact.
      i++
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1
      i++
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i
      while (i < text.length && /[-+0-9.eE]/.test(text[i]!)) i++
      const literal = text.slice(start, i)
      if (!keepsDecimal(literal)) return { literal, ...lineAndColumn(text, start) }
    } else i++
  }
  return undefined
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}
