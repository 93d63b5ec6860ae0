import { DatapubError } from '../errors/datapub-error.js'

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * POSIX shell quoting with Python's shlex.quote rules: plain words stay readable, everything
 * else is wrapped in single quotes, inside which the shell interprets nothing ($, `, \, ;, newlines).
 * NUL cannot be passed in an argv at all, so it is refused rather than silently cut.
 */
export function shellQuote(value: string, field = 'value'): string {
  if (value.includes('\u0000')) {
    throw new DatapubError('INPUT_UNSAFE', `${field}: contains a NUL byte, which no command argument can carry`, {
      path: field,
      hint: 'Remove the NUL character.',
    })
  }
  if (SAFE.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}
