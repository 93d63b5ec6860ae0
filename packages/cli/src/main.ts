import type { CliIO } from './cli-command.js'
import { COMMANDS } from './command-table.js'
import { EXIT } from './exit-codes.js'

const GLOBAL = `Global options:
  --json       print events as NDJSON on stdout (one object a line, the result last)
  --debug      show the cause of internal errors
  -h, --help   help for the command
  -V, --version`

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h')

/** Runs one invocation and returns the exit code. Commands and their dependencies load on demand. */
export async function main(argv: string[], overrides: Partial<CliIO> = {}): Promise<number> {
  const json = argv.includes('--json')
  const debug = argv.includes('--debug')
  const rest = argv.filter((a) => a !== '--json' && a !== '--debug')
  const controller = new AbortController()
  const io: CliIO = {
    stdout: overrides.stdout === undefined ? quietOnClosedPipe(process.stdout) : overrides.stdout,
    stderr: overrides.stderr === undefined ? quietOnClosedPipe(process.stderr) : overrides.stderr,
    json,
    isTTY: Boolean(process.stderr.isTTY) && !json,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) && !json,
    confirm: async (question) => (await import('./ask-yes-no.js')).askYesNo(question, controller.signal),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    ...overrides,
  }
  let [name, ...args] = rest
  // `datapub help publish heroku` is `datapub publish heroku --help`.
  if (name === 'help' && args[0] !== undefined) [name, ...args] = [args[0], ...args.slice(1), '--help']
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const { loadCliManifest } = await import('./load-cli-manifest.js')
    const { version } = await loadCliManifest()
    io.stdout(`datapub ${version}: publish data as a Datasette deployment to the host you pick\n\nUsage: datapub <command> [arguments] [options]\n\nCommands:\n${Object.entries(COMMANDS)
      .map(([n, c]) => `  ${n.padEnd(16)}${c.summary}`)
      .join('\n')}\n\n${GLOBAL}\n\nRun \`datapub <command> --help\` or \`datapub help <command>\` for a command's options.\n`)
    return name === undefined ? EXIT.user : EXIT.ok
  }
  if (name === '--version' || name === '-V') {
    const { loadCliManifest } = await import('./load-cli-manifest.js')
    io.stdout(`${(await loadCliManifest()).version}\n`)
    return EXIT.ok
  }
  const entry = COMMANDS[name]
  if (entry === undefined) {
    const { didYouMean } = await import('@datapub/core/errors')
    const guess = didYouMean(name, Object.keys(COMMANDS))
    io.stderr(`error CONFIG_INVALID: Unknown command "${name}".${guess === undefined ? '' : ` Did you mean "${guess}"?`}\n  hint: Commands: ${Object.keys(COMMANDS).join(', ')}.\n`)
    return EXIT.user
  }
  const onSignal = () => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const command = await entry.load()
    const code = await command.run(args, io)
    if (wantsHelp(args) && code === EXIT.ok) io.stdout(`\n${GLOBAL}\n`)
    return code
  } catch (error) {
    const { printError } = await import('./print-error.js')
    return printError(error, io, debug)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/**
 * A writer that goes quiet once the reader has gone (`datapub plan ... | head -1`): a closed pipe
 * is not an error worth a stack trace, and the command still ends with its own exit code.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    open = false
  })
  return (text) => {
    if (open) stream.write(text)
  }
}
