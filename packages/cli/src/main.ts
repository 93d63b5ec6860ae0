import type { CliIO } from './cli-command.js'
import { COMMANDS } from './command-table.js'
import { EXIT } from './exit-codes.js'

const GLOBAL = `Global options:
  --json       print events as NDJSON on stdout (one object a line, the result last)
  --debug      show the cause of internal errors
  -h, --help   help for the command
  -V, --version`

/** Runs one invocation and returns the exit code. Commands and their dependencies load on demand. */
export async function main(argv: string[], overrides: Partial<CliIO> = {}): Promise<number> {
  const json = argv.includes('--json')
  const debug = argv.includes('--debug')
  const rest = argv.filter((a) => a !== '--json' && a !== '--debug')
  const controller = new AbortController()
  const io: CliIO = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    json,
    isTTY: Boolean(process.stderr.isTTY) && !json,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    ...overrides,
  }
  const [name, ...args] = rest
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const { loadCliManifest } = await import('./load-cli-manifest.js')
    const { version } = await loadCliManifest()
    io.stdout(`datapub ${version}: publish data as a Datasette deployment to the host you pick\n\nUsage: datapub <command> [arguments] [options]\n\nCommands:\n${Object.entries(COMMANDS)
      .map(([n, c]) => `  ${n.padEnd(16)}${c.summary}`)
      .join('\n')}\n\n${GLOBAL}\n\nRun \`datapub <command> --help\` for a command's options.\n`)
    return name === undefined ? EXIT.user : EXIT.ok
  }
  if (name === '--version' || name === '-V') {
    const { loadCliManifest } = await import('./load-cli-manifest.js')
    io.stdout(`${(await loadCliManifest()).version}\n`)
    return EXIT.ok
  }
  const entry = COMMANDS[name]
  if (entry === undefined) {
    io.stderr(`error CONFIG_INVALID: Unknown command "${name}".\n  hint: Commands: ${Object.keys(COMMANDS).join(', ')}.\n`)
    return EXIT.user
  }
  const onSignal = () => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const command = await entry.load()
    return await command.run(args, io)
  } catch (error) {
    const { printError } = await import('./print-error.js')
    return printError(error, io, debug)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
