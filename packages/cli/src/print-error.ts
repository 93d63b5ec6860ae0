import { isDatapubError, toDatapubError, redactText } from '@datapub/core/errors'
import type { CliIO } from './cli-command.js'
import { EXIT } from './exit-codes.js'

/** Prints a failure the way users should see it (code, message, hint; the cause only with --debug) and returns the exit code. */
export function printError(error: unknown, io: CliIO, debug: boolean): number {
  const coded = toDatapubError(error)
  if (io.json) io.stdout(`${JSON.stringify({ type: 'error', error: coded.toJSON() })}\n`)
  else {
    io.stderr(`error ${coded.code}: ${coded.message}\n`)
    if (coded.hint) io.stderr(`  hint: ${coded.hint}\n`)
  }
  if (debug && coded.cause !== undefined) io.stderr(`  cause: ${redactText(String((coded.cause as Error)?.stack ?? coded.cause))}\n`)
  if (!isDatapubError(error) && !debug) io.stderr('  (rerun with --debug for details)\n')
  return coded.code === 'ABORTED' ? EXIT.aborted : EXIT[coded.fault]
}
