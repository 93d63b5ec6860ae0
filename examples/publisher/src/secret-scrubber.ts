import { redactText, registerSecret } from '@datapub/core'

const SECRET_NAME = /token|key|secret|password|passwd|credential|auth/i
const REDACTED = '[REDACTED]'

export interface SecretScrubber {
  /** Replaces every known secret value in `text`. */
  scrub(text: string): string
}

/**
 * The last net before anything leaves the server: every env value whose name looks secret is
 * registered with core's redaction (so SDK errors and events never carry it) and replaced in
 * every response body, whatever produced it.
 */
export function secretScrubber(env: Readonly<Record<string, string | undefined>>): SecretScrubber {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= 4)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length)
  for (const value of values) registerSecret(value)
  return {
    scrub(text) {
      let out = redactText(text)
      for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED)
      return out
    },
  }
}
