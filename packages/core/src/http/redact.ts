/**
 * Secret redaction. Two nets: exact values registered as secrets the moment they are read
 * (tokens, passwords, plugin secrets), and patterns for credentials we never saw registered
 * (Authorization headers, userinfo in URLs, token-ish query parameters).
 */
const secrets = new Set<string>()
const MIN_SECRET_LENGTH = 4
export const REDACTED = '[REDACTED]'

/** Registers a value that must never be printed. Short values are ignored: they would redact ordinary words. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return
  secrets.add(value)
  // Basic auth puts the secret inside base64; register the encodings we emit ourselves.
  secrets.add(Buffer.from(value).toString('base64'))
  secrets.add(encodeURIComponent(value))
}

export function isRegisteredSecret(value: string): boolean {
  return secrets.has(value)
}

const PATTERNS: Array<[RegExp, string]> = [
  [/\b(authorization|proxy-authorization|x-api-key|x-auth-token)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',}]+/gi, `$1$2${REDACTED}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${REDACTED}@`],
  [/([?&](?:access_token|token|api_key|apikey|key|password|secret|sig|signature|X-Amz-Signature|X-Amz-Credential)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/\b(password|passwd|secret|token|api[_-]?key)(["']?\s*[:=]\s*["'])[^"']+(["'])/gi, `$1$2${REDACTED}$3`],
]

export function redactText(text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

const SECRET_KEYS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|password|passwd|secret|token|access_token|api_?key|client_secret|private_key|identitytoken|registrytoken|auth)$/i

/** Deep-copies a value with secret-looking keys masked and every string passed through redactText. */
export function redactValue<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return redactText(value) as T
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value as object)) return '[Circular]' as T
  seen.add(value as object)
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen)) as T
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEYS.test(key) && item !== undefined && item !== null && item !== '' ? REDACTED : redactValue(item, seen)
  }
  return out as T
}
