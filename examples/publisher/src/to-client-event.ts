import type { PublishEvent } from '@datapub/core'

/** What the browser sees of an SDK event: the event itself, minus server file system paths. */
export function toClientEvent(event: PublishEvent): Record<string, unknown> {
  if (event.type === 'context:written') {
    const { dir: _dir, ...rest } = event
    return { ...rest, files: event.files.length }
  }
  return event as unknown as Record<string, unknown>
}
