/** Bit set by classifyField: the bytes are an integer that SQLite stores exactly (signed 64-bit). */
export const LOOKS_INTEGER = 1
/** Bit set by classifyField: the bytes are a number that a double holds without loss. */
export const LOOKS_REAL = 2

/** Any decimal of at most 15 significant digits survives a round trip through a double (DBL_DIG). */
const SAFE_DIGITS = 15

/**
 * Classifies a non-empty field from its bytes, without decoding. Integers are `[+-]?digits`,
 * numbers add a fraction and an exponent, like Python's int()/float() that sqlite-utils uses,
 * with three deliberate exceptions: a leading zero followed by digits (`007`, ZIP codes) is
 * text, so codes keep their zeros; surrounding spaces and `_` separators are text; `nan`/`inf`
 * are text, since SQLite would keep them as text in a REAL column anyway.
 *
 * Types are lossless: LOOKS_INTEGER only within signed 64 bits, LOOKS_REAL only when the double
 * reads back as the same decimal value (finite, and the digits given survive: `0.1` does,
 * `1e400` and a 20-digit integer do not). A field with neither bit keeps its column TEXT.
 */
export function classifyField(buf: Uint8Array, s: number, e: number): number {
  let i = s
  const c = buf[i]!
  if (c === 43 || c === 45) i++
  const digits = i
  // First and last non-zero mantissa digits (positions in buf), for the significant-digit count.
  mantissa.first = -1
  mantissa.last = -1
  i = digitRun(buf, i, e)
  const intDigits = i - digits
  if (intDigits > 1 && buf[digits] === 48) return 0
  if (i === e) {
    if (intDigits === 0) return 0
    const real = intDigits <= SAFE_DIGITS || significant(mantissa.first, mantissa.last, -1) <= SAFE_DIGITS ? LOOKS_REAL : integerRoundTrips(buf, s, e)
    if (intDigits <= 18) return LOOKS_INTEGER | real
    // 19 digits may still fit; longer ones never do (leading zeros are text already).
    return (intDigits === 19 && fitsInt64(buf, digits, buf[s] === 45) ? LOOKS_INTEGER : 0) | real
  }
  let fraction = 0
  let dot = -1
  if (buf[i] === 46) {
    dot = i
    i++
    const start = i
    i = digitRun(buf, i, e)
    fraction = i - start
  }
  if (intDigits === 0 && fraction === 0) return 0
  // Decimal exponent of the leading significant digit, before any e±exp.
  const firstNonZero = mantissa.first
  let magnitude = 0
  if (firstNonZero !== -1) magnitude = dot === -1 || firstNonZero < dot ? (dot === -1 ? i : dot) - firstNonZero - 1 : dot - firstNonZero
  if (i < e && (buf[i] === 101 || buf[i] === 69)) {
    i++
    let negative = false
    if (i < e && (buf[i] === 43 || buf[i] === 45)) {
      negative = buf[i] === 45
      i++
    }
    const start = i
    let exponent = 0
    while (i < e && buf[i]! >= 48 && buf[i]! <= 57) {
      // Capped: anything this large is decided by the slow path.
      if (exponent < 100000) exponent = exponent * 10 + (buf[i]! - 48)
      i++
    }
    if (i === start) return 0
    magnitude += negative ? -exponent : exponent
  }
  if (i !== e) return 0
  if (firstNonZero === -1) return LOOKS_REAL
  // Within the normal range, few digits always round-trip; the rest is checked for real.
  if (significant(firstNonZero, mantissa.last, dot) <= SAFE_DIGITS && magnitude > -300 && magnitude < 300) return LOOKS_REAL
  return realRoundTrips(buf, s, e)
}

/** Where digitRun saw the first and last non-zero digit; one object reused, so the per-field scan allocates nothing. */
const mantissa = { first: -1, last: -1 }

/** Scans digits from i, noting non-zero ones in `mantissa`; returns the first non-digit position. */
function digitRun(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i]!
    if (c < 48 || c > 57) break
    if (c !== 48) {
      if (mantissa.first === -1) mantissa.first = i
      mantissa.last = i
    }
    i++
  }
  return i
}

function significant(first: number, last: number, dot: number): number {
  if (first === -1) return 0
  return last - first + 1 - (dot > first && dot < last ? 1 : 0)
}

/** Parses an integer field already known to fit signed 64 bits; beyond 2^53 it stays exact as a BigInt. */
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
    // `-0` is the integer 0: SQLite integers have no negative zero.
    return negative && value !== 0 ? -value : value
  }
  const big = BigInt(latin1(buf, s, e))
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}

const INT64_MAX_DIGITS = '9223372036854775807'
const INT64_MIN_DIGITS = '9223372036854775808'

/** 19 digits from `from` against 2^63 - 1 (or 2^63 when negative), compared as digit strings: no BigInt per value. */
function fitsInt64(buf: Uint8Array, from: number, negative: boolean): boolean {
  const limit = negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS
  for (let k = 0; k < 19; k++) {
    const d = buf[from + k]!
    const l = limit.charCodeAt(k)
    if (d !== l) return d < l
  }
  return true
}

/**
 * Whether a double keeps an integer's digits. Below 1e21 a double prints as its integer digits,
 * shortest round trip first and zeros after, so equal text means equal value.
 */
function integerRoundTrips(buf: Uint8Array, s: number, e: number): number {
  const text = latin1(buf, buf[s] === 43 ? s + 1 : s, e)
  const value = Number(text)
  if (Math.abs(value) >= 1e21) return realRoundTrips(buf, s, e)
  return String(value) === text ? LOOKS_REAL : 0
}

function latin1(buf: Uint8Array, s: number, e: number): string {
  // The parser hands Buffers: their unchecked slice skips creating a view per value.
  if (Buffer.isBuffer(buf)) return (buf as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(s, e)
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1')
}

/** The slow path: parse as a double and compare the shortest decimal that reads back as it with the input's value. */
function realRoundTrips(buf: Uint8Array, s: number, e: number): number {
  const text = latin1(buf, s, e)
  const value = Number(text)
  if (!Number.isFinite(value)) return 0
  return canonicalDecimal(text) === canonicalDecimal(String(value)) ? LOOKS_REAL : 0
}

/**
 * A decimal literal's value as `digits@exponent` (significant digits without leading or trailing
 * zeros, and the power of ten of the first one), so `1.10`, `1.1` and `0.11e1` compare equal. Zero
 * is `0` whatever its sign: SQLite stores an integral REAL as an integer, so no column keeps `-0.0`.
 */
export function canonicalDecimal(text: string): string {
  let i = 0
  let sign = ''
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? '-' : ''
    i = 1
  }
  let mantissa = ''
  let point = -1
  for (; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '.') point = mantissa.length
    else if (ch === 'e' || ch === 'E') break
    else mantissa += ch
  }
  const exponent = i < text.length ? Number(text.slice(i + 1)) : 0
  if (point === -1) point = mantissa.length
  const lead = mantissa.search(/[1-9]/)
  if (lead === -1) return '0'
  const digits = mantissa.slice(lead).replace(/0+$/, '')
  return `${sign}${digits}@${point - lead - 1 + exponent}`
}
