import type { ContainerEngine, DatapubError as DatapubErrorType, RegistryClient } from '@datapub/core'
import type { CliCommand, CliIO } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'

/** The slice of core this command uses; injected so tests can run it against the sources. */
export interface InspectImageApi {
  connectEngine(options?: { env?: Readonly<Record<string, string | undefined>> }): Promise<ContainerEngine>
  analyzeImage(source: { engine: ContainerEngine; ref: string }, options: { ref?: string; top?: number; baseDiffIds?: string[] }): Promise<unknown>
  formatImageReport(report: never, top?: number): string
  analyzeRegistryImage(client: RegistryClient, repository: string, reference: string, options: { top?: number }): Promise<unknown>
  parseImageReference(input: string): { registry: string; repository: string; tag?: string; digest?: string }
  RegistryClient: typeof RegistryClient
  dockerConfigCredentials(options?: { env?: Readonly<Record<string, string | undefined>> }): (registry: string) => Promise<unknown>
  DatapubError: typeof DatapubErrorType
}

const USAGE = 'datapub inspect-image <ref | docker://registry/repo:tag> [--json] [--top N] [--base IMAGE]'
const HELP = `Usage: ${USAGE}

Report where the bytes of an image go, read from the engine's \`docker save\` stream without
running it: layers with their size (uncompressed and gzip) and instruction, the largest
directories and files, files overwritten or deleted by later layers, wasted bytes and
efficiency (dive's formulas) and build leftovers that could be pruned.

Flags:
  --json          Print the report as one JSON object
  --top N         How many largest paths to list (default 10)
  --base IMAGE    Mark the layers IMAGE shares with <ref> as base layers (e.g. the runtime image)
  -h, --help      Show this help

The engine is the one DOCKER_HOST names (unix://, tcp://, ssh://) or the default socket.
A \`docker://\` reference is read from the registry instead, blob by blob, with no engine:
credentials come from Docker's config.json (DOCKER_CONFIG) or REGISTRY_AUTH_FILE.
`

export function createInspectImageCommand(loadApi: () => Promise<InspectImageApi>): CliCommand {
  return {
    name: 'inspect-image',
    summary: 'Report where the bytes of an image go',
    usage: USAGE,
    async run(argv: string[], io: CliIO): Promise<number> {
      const api = await loadApi()
      let ref: string | undefined
      let top = 10
      let base: string | undefined
      let json = io.json
      const usage = (message: string) => new api.DatapubError('CONFIG_INVALID', message, { hint: `Usage: ${USAGE}` })
      for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!
        const value = () => {
          const next = argv[++i]
          if (next === undefined) throw usage(`${arg} needs a value`)
          return next
        }
        if (arg === '-h' || arg === '--help') return io.stdout(HELP), EXIT.ok
        else if (arg === '--json') json = true
        else if (arg === '--top' || arg.startsWith('--top=')) {
          const raw = arg === '--top' ? value() : arg.slice(6)
          top = Number(raw)
          if (!Number.isInteger(top) || top < 1 || top > 1000) throw usage(`--top takes a whole number from 1 to 1000, not ${JSON.stringify(raw)}`)
        } else if (arg === '--base' || arg.startsWith('--base=')) base = arg === '--base' ? value() : arg.slice(7)
        else if (arg.startsWith('-')) throw usage(`Unknown flag ${arg}`)
        else if (ref === undefined) ref = arg
        else throw usage(`Give one image reference, not ${JSON.stringify(arg)} as well`)
      }
      if (ref === undefined) throw usage('Name the image to inspect')
      if (ref.startsWith('docker://')) {
        if (base !== undefined) throw usage('--base needs an engine; it does not apply to docker:// references')
        const parsed = api.parseImageReference(ref.slice('docker://'.length))
        const client = new api.RegistryClient({ registry: parsed.registry, credentials: api.dockerConfigCredentials({ env: io.env }) as never })
        try {
          const report = await api.analyzeRegistryImage(client, parsed.repository, parsed.digest ?? parsed.tag ?? 'latest', { top })
          io.stdout(json ? `${JSON.stringify(report)}\n` : api.formatImageReport(report as never, top))
          return EXIT.ok
        } finally {
          client.close()
        }
      }
      const engine = await api.connectEngine({ env: io.env })
      const baseDiffIds = base === undefined ? undefined : (await engine.inspectImage(base)).layers
      const report = await api.analyzeImage({ engine, ref }, { ref, top, ...(baseDiffIds ? { baseDiffIds } : {}) })
      io.stdout(json ? `${JSON.stringify(report)}\n` : api.formatImageReport(report as never, top))
      return EXIT.ok
    },
  }
}

export const inspectImageCommand = createInspectImageCommand(async () => (await import('@datapub/core')) as unknown as InspectImageApi)
