import type { CliCommand } from '../cli-command.js'
import { EXIT } from '../exit-codes.js'
import { publishRequestOf } from '../publish-request-of.js'
import { resolveInvocation } from '../resolve-invocation.js'
import { createEventRenderer } from '../render/create-event-renderer.js'

export const publishCommand: CliCommand = {
  name: 'publish',
  summary: 'Publish CSV/TSV/SQLite files as a Datasette deployment',
  usage: 'datapub publish <provider> <files...> [options]',
  async run(argv, io) {
    const resolved = await resolveInvocation('publish', argv, io, { common: true, positional: '<files...>' })
    if ('help' in resolved) return io.stdout(resolved.help), EXIT.ok
    const { publish } = await import('@datapub/core')
    const renderer = createEventRenderer(io)
    const stream = publish(await publishRequestOf(resolved, io))
    try {
      for (;;) {
        const next = await stream.next()
        if (next.done) {
          renderer.close()
          if (!io.json) {
            if (next.value.kind === 'deployed') {
              io.stderr(`Published "${next.value.deployment.name}" to ${resolved.definition.title}:\n`)
              io.stdout(`${next.value.deployment.url}\n`)
            } else io.stdout(`${next.value.dir}\n`)
          }
          return EXIT.ok
        }
        // The error event is rendered by printError, so --json prints it exactly once.
        if (next.value.type !== 'error') renderer.onEvent(next.value)
      }
    } finally {
      renderer.close()
    }
  },
}
