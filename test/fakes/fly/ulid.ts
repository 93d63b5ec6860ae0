import { randomBytes } from 'node:crypto'
/** A ULID-shaped id, as Fly gives machine instances and log entries. */
export function ulid(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  return Array.from(randomBytes(26), (b) => alphabet[b % 32]).join('')
}
