import type { PublishEvent } from '@datapub/core'
import { forVisitors } from './visitor-text.js'

const TEXT_FIELDS = ['message', 'hint', 'reason', 'title', 'label'] as const

/**
 * What the browser sees of an SDK event: no server file system paths, no build log lines or
 * image tags (they name server paths and settings; the page only counts log lines to move its
 * bar), and human text without the operator's setting names.
 */
export function toClientEvent(event: PublishEvent, envNames: readonly string[] = []): Record<string, unknown> {
  let out: Record<string, unknown>
  if (event.type === 'context:written') {
    const { dir: _dir, ...rest } = event
    out = { ...rest, files: event.files.length }
  } else if (event.type === 'image:build:log') {
    const { line: _line, ...rest } = event
    out = rest
  } else if (event.type === 'image:built') {
    const { tag: _tag, ...rest } = event
    out = rest
  } else out = { ...(event as unknown as Record<string, unknown>) }
  for (const field of TEXT_FIELDS) if (typeof out[field] === 'string') out[field] = forVisitors(out[field], envNames)
  if (typeof out.error === 'object' && out.error !== null) out.error = toClientError(out.error as Record<string, unknown>, envNames)
  return out
}

/** A serialised error as the page gets it: code, fault and human text only (no server path, no setting names). */
export function toClientError(error: Record<string, unknown>, envNames: readonly string[] = []): Record<string, unknown> {
  const text = (value: unknown) => (typeof value === 'string' ? forVisitors(value, envNames) : undefined)
  const hint = text(error.hint)
  return { code: error.code, fault: error.fault, message: text(error.message) ?? 'The publish failed.', ...(hint === undefined ? {} : { hint }) }
}
