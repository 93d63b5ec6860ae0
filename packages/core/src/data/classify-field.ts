/** Bit set by classifyField: the bytes are an integer literal. */
export const LOOKS_INTEGER = 1
/** Bit set by classifyField: the bytes are a decimal number literal. */
export const LOOKS_REAL = 2

/**
 * Classifies a non-empty field from its bytes, without decoding. Integers are `[+-]?digits`,
 * numbers add a fraction and an exponent, like Python's int()/float() that sqlite-utils uses,
 * with three deliberate exceptions: a leading zero followed by digits (`007`, ZIP codes) is
 * text, so codes keep their zeros; surrounding spaces and `_` separators are text; `nan`/`inf`
 * are text, since SQLite would keep them as text in a REAL column anyway.
 */
export function classifyField(buf: Uint8Array, s: number, e: number): number {
  let i = s
  let c = buf[i]!
  if (c === 43 || c === 45) {
    i++
  }
  const digits = i
  while (i < e) {
    c = buf[i]!
    if (c < 48 || c > 57) break
    i++
  }
  const intDigits = i - digits
  if (intDigits > 1 && buf[digits] === 48) return 0
  if (i === e) {
    if (intDigits === 0) return 0
    // SQLite integers are 64-bit: a longer one can only be stored as a REAL.
    if (intDigits >= 19 && !fitsInt64(buf, s, e)) return LOOKS_REAL
    return LOOKS_INTEGER | LOOKS_REAL
  }
  let fraction = 0
  if (buf[i] === 46) {
    i++
    const start = i
    while (i < e && buf[i]! >= 48 && buf[i]! <= 57) i++
    fraction = i - start
  }
  if (intDigits === 0 && fraction === 0) return 0
  if (i < e && (buf[i] === 101 || buf[i] === 69)) {
    i++
    if (i < e && (buf[i] === 43 || buf[i] === 45)) i++
    const start = i
    while (i < e && buf[i]! >= 48 && buf[i]! <= 57) i++
    if (i === start) return 0
  }
  return i === e ? LOOKS_REAL : 0
}

/** Parses an integer field already known to match `[+-]?digits`; beyond 2^53 it stays exact as a BigInt. */
export function parseIntegerField(buf: Uint8Array, s: number, e: number): number | bigint {
  let i = s
  let negative = false
  const c = buf[i]
  if (c === 45) {
    negative = true
    i++
  } else if (c === 43) i++
  if (e - i <= 15) {
    let value = 0
    for (; i < e; i++) value = value * 10 + (buf[i]! - 48)
    return negative ? -value : value
  }
  const big = BigInt(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'))
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

function fitsInt64(buf: Uint8Array, s: number, e: number): boolean {
  const big = BigInt(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'))
  return big >= INT64_MIN && big <= INT64_MAX
}
