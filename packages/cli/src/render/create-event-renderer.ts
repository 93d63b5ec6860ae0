import type { PublishEvent } from '@datapub/core'
import type { CliIO } from '../cli-command.js'

export interface EventRenderer {
  onEvent(event: PublishEvent): void
  close(): void
}

const BAR = 24
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * NDJSON on stdout with --json; otherwise human progress on stderr: stage lines, and on a TTY one
 * redrawn status line: a bar where a total is known (build steps, bytes, rows), a spinner where
 * it is not (engine output before the first step), a countdown with attempts during verify.
 * stdout stays free for the result.
 */
export function createEventRenderer(io: CliIO): EventRenderer {
  if (io.json) return { onEvent: (event) => io.stdout(`${JSON.stringify(event)}\n`), close: () => {} }
  let shown = false
  let lastDraw = 0
  let lastLabel = ''
  let frame = 0
  let buildSteps = false
  const clear = () => {
    if (shown) io.stderr('\r\u001b[2K')
    shown = false
  }
  const line = (text: string) => {
    clear()
    io.stderr(`${text}\n`)
  }
  // Redraws at most every 80 ms, except when the label changes or the work completes.
  const draw = (label: string, text: string, final = false) => {
    if (!io.isTTY) return
    const now = Date.now()
    if (!final && label === lastLabel && now - lastDraw < 80) return
    lastDraw = now
    lastLabel = label
    io.stderr(`\r\u001b[2K  ${text}`)
    shown = true
  }
  const progress = (label: string, done: number, total: number | undefined, unit: string) => {
    const amount = unit === 'bytes' ? `${mb(done)}${total ? ` / ${mb(total)}` : ''}` : `${done}${total ? ` / ${total}` : ''} ${unit}`
    if (total === undefined || total === 0) return draw(label, `${SPINNER[frame++ % SPINNER.length]} ${label} ${amount}`)
    const ratio = Math.min(done / total, 1)
    const filled = Math.round(ratio * BAR)
    draw(label, `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${Math.round(ratio * 100)}% ${amount}`, done >= total)
  }
  return {
    onEvent(event) {
      switch (event.type) {
        case 'stage:start':
          buildSteps = false
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
          if (event.unit === 'steps') buildSteps = true
          return progress(event.label, event.done, event.total, event.unit)
        case 'push:progress':
          return progress(`push ${event.ref}`, event.sentBytes, event.totalBytes, 'bytes')
        case 'image:build:log':
          // Until the engine names its first step there is no total: a spinner with its latest line.
          if (!buildSteps) draw('build', `${SPINNER[frame++ % SPINNER.length]} build: ${event.line.trim().slice(0, 64)}`)
          return
        case 'image:built':
          return line(`  image ${event.tag} (${event.imageId.slice(0, 19)})`)
        case 'image:analyzed':
          return line(`  image ${mb(event.bytes)} in ${event.layers} layers${event.budgetBytes ? ` (budget ${mb(event.budgetBytes)})` : ''}`)
        case 'deploy:status':
          return line(`  ${event.state}${event.message ? `: ${event.message}` : ''}`)
        case 'verify:attempt':
          return draw(`verify ${event.attempt}`, `${SPINNER[frame++ % SPINNER.length]} verify: attempt ${event.attempt}, ${Math.ceil(event.remainingMs / 1000)} s left${event.problem ? ` (${event.problem.slice(0, 60)})` : ''}`)
        case 'verify:ok':
          return line(`  serves the new data (${event.checked.join(', ')})`)
        case 'context:written':
          return line(`  ${event.files.length} files in ${event.dir}`)
        default:
          return
      }
    },
    close: clear,
  }
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}
