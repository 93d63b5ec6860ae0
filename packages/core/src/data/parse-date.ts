const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

interface Parts {
  y: number
  m: number
  d: number
  H: number
  M: number
  S: number
  us: number
  tz?: string
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/**
 * Parses a date or datetime the way csvs-to-sqlite's dateparser does for common inputs: the
 * given strptime formats first, then ISO, Y/M/D, month-first M/D/Y (day-first when the first
 * number exceeds 12), and named months. Returns the ISO text, or undefined when nothing fits.
 */
export function parseDate(value: string, kind: 'date' | 'datetime', formats: string[] = []): string | undefined {
  const text = value.trim()
  let parts: Parts | undefined
  for (const format of formats) {
    parts = strptime(text, format)
    if (parts) break
  }
  parts ??= parseCommon(text)
  if (!parts || !valid(parts)) return undefined
  const date = `${pad(parts.y, 4)}-${pad(parts.m)}-${pad(parts.d)}`
  if (kind === 'date') return date
  const micro = parts.us ? `.${pad(parts.us, 6)}` : ''
  return `${date}T${pad(parts.H)}:${pad(parts.M)}:${pad(parts.S)}${micro}${parts.tz ?? ''}`
}

function valid(p: Parts): boolean {
  if (p.m < 1 || p.m > 12 || p.d < 1 || p.H > 23 || p.M > 59 || p.S > 59) return false
  return p.d <= new Date(Date.UTC(p.y, p.m, 0)).getUTCDate()
}

const TIME = String.raw`(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}:?\d{2})?)?`
const ISO = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`)
const NUMERIC = new RegExp(String.raw`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})${TIME}$`)
const DAY_MONTH = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?[-\s]+([A-Za-z]{3,9})\.?,?[-\s]+(\d{2}|\d{4})${TIME}$`)
const MONTH_DAY = new RegExp(String.raw`^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`)

function parseCommon(text: string): Parts | undefined {
  let m = ISO.exec(text)
  if (m) return withTime(+m[1]!, +m[2]!, +m[3]!, m, 4)
  m = NUMERIC.exec(text)
  if (m) {
    let month = +m[1]!
    let day = +m[2]!
    if (month > 12) [month, day] = [day, month]
    return withTime(year(m[3]!), month, day, m, 4)
  }
  m = DAY_MONTH.exec(text)
  if (m) {
    const month = monthNumber(m[2]!)
    return month ? withTime(year(m[3]!), month, +m[1]!, m, 4) : undefined
  }
  m = MONTH_DAY.exec(text)
  if (m) {
    const month = monthNumber(m[1]!)
    return month ? withTime(+m[3]!, month, +m[2]!, m, 4) : undefined
  }
  return undefined
}

function withTime(y: number, mo: number, d: number, m: RegExpExecArray, at: number): Parts {
  let H = m[at] === undefined ? 0 : +m[at]!
  const ampm = m[at + 4]?.toLowerCase()
  if (ampm === 'pm' && H < 12) H += 12
  if (ampm === 'am' && H === 12) H = 0
  const parts: Parts = { y, m: mo, d, H, M: +(m[at + 1] ?? 0), S: +(m[at + 2] ?? 0), us: m[at + 3] === undefined ? 0 : +m[at + 3]!.padEnd(6, '0') }
  const tz = m[at + 5]
  if (tz !== undefined) parts.tz = tz === 'Z' ? '+00:00' : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`
  return parts
}

function year(text: string): number {
  const n = +text
  // Python's %y pivot: 69-99 are 1900s, 00-68 are 2000s.
  return text.length === 2 ? (n >= 69 ? 1900 + n : 2000 + n) : n
}

function monthNumber(name: string): number | undefined {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase())
  return index === -1 ? undefined : index + 1
}

const DIRECTIVES: Record<string, string> = {
  Y: String.raw`(\d{4})`,
  y: String.raw`(\d{2})`,
  m: String.raw`(\d{1,2})`,
  d: String.raw`(\d{1,2})`,
  H: String.raw`(\d{1,2})`,
  I: String.raw`(\d{1,2})`,
  M: String.raw`(\d{1,2})`,
  S: String.raw`(\d{1,2})`,
  f: String.raw`(\d{1,6})`,
  p: '([AaPp][Mm])',
  b: '([A-Za-z]{3})',
  B: '([A-Za-z]{3,9})',
  a: '[A-Za-z]{3}',
  A: '[A-Za-z]{6,9}',
  z: String.raw`([+-]\d{2}:?\d{2}|Z)`,
  '%': '%',
}

/** A subset of Python's strptime: %Y %y %m %d %H %I %M %S %f %p %b %B %a %A %z %%. */
export function strptime(text: string, format: string): Parts | undefined {
  const fields: string[] = []
  let pattern = '^'
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!
    if (ch === '%' && i + 1 < format.length) {
      const directive = format[++i]!
      const regex = DIRECTIVES[directive]
      if (regex === undefined) return undefined
      if (regex.startsWith('(')) fields.push(directive)
      pattern += regex
    } else pattern += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  const m = new RegExp(`${pattern}$`).exec(text)
  if (!m) return undefined
  const p: Parts = { y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, us: 0 }
  let pm: boolean | undefined
  fields.forEach((directive, index) => {
    const v = m[index + 1]!
    switch (directive) {
      case 'Y': p.y = +v; break
      case 'y': p.y = year(v); break
      case 'm': p.m = +v; break
      case 'd': p.d = +v; break
      case 'H': case 'I': p.H = +v; break
      case 'M': p.M = +v; break
      case 'S': p.S = +v; break
      case 'f': p.us = +v.padEnd(6, '0'); break
      case 'p': pm = v.toLowerCase() === 'pm'; break
      case 'b': case 'B': p.m = monthNumber(v) ?? 0; break
      case 'z': p.tz = v === 'Z' ? '+00:00' : v.includes(':') ? v : `${v.slice(0, 3)}:${v.slice(3)}`; break
    }
  })
  if (pm === true && p.H < 12) p.H += 12
  if (pm === false && p.H === 12) p.H = 0
  return p
}
