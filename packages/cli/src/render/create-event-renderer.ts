import type { PublishEvent } from '@datapub/core'
import type { CliIO } from '../cli-command.js'

export interface EventRenderer {
  onEvent(event: PublishEvent): void
  close(): void
}

const BAR = 24

/**
 * NDJSON on stdout with --json; otherwise human progress on stderr: stage lines, and on a TTY a
 * redrawn progress bar for byte and row progress. stdout stays free for the result.
 */
export function createEventRenderer(io: CliIO): EventRenderer {
  if (io.json) return { onEvent: (event) => io.stdout(`${JSON.stringify(event)}\n`), close: () => {} }
  let barShown = false
  let lastDraw = 0
  const clearBar = () => {
    if (barShown) io.stderr('\r\u001b[2K')
    barShown = false
  }
  const line = (text: string) => {
    clearBar()
    io.stderr(`${text}\n`)
  }
  const bar = (label: string, done: number, total: number | undefined, unit: string) => {
    if (!io.isTTY) return
    const now = Date.now()
    if (now - lastDraw < 80 && (total === undefined || done < total)) return
    lastDraw = now
    const ratio = total ? Math.min(done / total, 1) : 0
    const filled = Math.round(ratio * BAR)
    const amount = unit === 'bytes' ? `${mb(done)}${total ? ` / ${mb(total)}` : ''}` : `${done}${total ? ` / ${total}` : ''} ${unit}`
    io.stderr(`\r\u001b[2K  ${label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${total ? `${Math.round(ratio * 100)}% ` : ''}${amount}`)
    barShown = true
  }
  return {
    onEvent(event) {
      switch (event.type) {
        case 'stage:start':
          return line(`• ${event.title}`)
        case 'stage:end':
          if (event.durationMs > 1000) line(`  done in ${(event.durationMs / 1000).toFixed(1)} s`)
          return
        case 'log':
          return event.level === 'info' ? line(`  ${event.message}`) : undefined
        case 'warning':
          return line(`  warning ${event.code}: ${event.message}`)
        case 'data:table':
          return line(`  ${event.database}.${event.table}: ${event.rows} rows, ${event.columns} columns`)
        case 'progress':
          return bar(event.label, event.done, event.total, event.unit)
        case 'push:progress':
          return bar(`push ${event.ref}`, event.sentBytes, event.totalBytes, 'bytes')
        case 'image:build:log':
          if (io.isTTY) bar(`build: ${event.line.slice(0, 60)}`, 0, undefined, '')
          return
        case 'image:built':
          return line(`  image ${event.tag} (${event.imageId.slice(0, 19)})`)
        case 'image:analyzed':
          return line(`  image ${mb(event.bytes)} in ${event.layers} layers${event.budgetBytes ? ` (budget ${mb(event.budgetBytes)})` : ''}`)
        case 'deploy:status':
          return line(`  ${event.state}${event.message ? `: ${event.message}` : ''}`)
        case 'verify:ok':
          return line(`  serves the new data (${event.checked.join(', ')})`)
        case 'context:written':
          return line(`  ${event.files.length} files in ${event.dir}`)
        default:
          return
      }
    },
    close: clearBar,
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}
