import { redactText } from '../http/redact.js'
import type { Logger } from '../contract/logger.js'


/** A logger that redacts before writing. `sink` receives finished lines; default is silence. */
export function createLogger(sink: (level: 'debug' | 'info' | 'warn', line: string) => void = () => {}): Logger {
  const write = (level: 'debug' | 'info' | 'warn') => (message: string) => sink(level, redactText(message))
  return { debug: write('debug'), info: write('info'), warn: write('warn') }
}
