import { DatapubError } from '../errors/datapub-error.js'

export interface BatchItem {
  /** `<provider>:<deployment>` of the source. */
  from: string
  /** Target provider; the batch's --to when absent. */
  to?: string
  /** Deployment name on the target (default: the source's name). */
  name?: string
}

const REF = /^[a-z@][a-z0-9@/._-]*:[^\s:][^\s]*$/

/**
 * Reads a batch list: a JSON array of `{ from, to?, name? }` (or of `from` strings), or text with
 * one `<provider>:<deployment> [target-name]` per line, `#` comments. Duplicates are refused:
 * the same deployment listed twice would be migrated twice.
 */
export function parseBatchList(text: string, source = 'the batch list'): BatchItem[] {
  let items: BatchItem[]
  if (/^\s*\[/.test(text)) {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new DatapubError('CONFIG_INVALID', `${source} is not valid JSON: ${(error as Error).message}.`, { path: 'batch' })
    }
    items = (json as unknown[]).map((entry, i) => {
      const item = typeof entry === 'string' ? { from: entry } : (entry as BatchItem)
      if (typeof item?.from !== 'string') throw new DatapubError('CONFIG_INVALID', `${source}[${i}]: expected "provider:deployment" or { "from": "provider:deployment" }.`, { path: `batch[${i}]` })
      return { from: item.from, ...(typeof item.to === 'string' ? { to: item.to } : {}), ...(typeof item.name === 'string' ? { name: item.name } : {}) }
    })
  } else {
    items = []
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim()
      if (line === '') return
      const [from, name, ...extra] = line.split(/\s+/)
      if (extra.length > 0) throw new DatapubError('CONFIG_INVALID', `${source}, line ${index + 1}: expected "<provider>:<deployment> [target-name]".`, { path: `batch[${index}]` })
      items.push({ from: from!, ...(name === undefined ? {} : { name }) })
    })
  }
  const seen = new Set<string>()
  items.forEach((item, i) => {
    if (!REF.test(item.from)) throw new DatapubError('CONFIG_INVALID', `${source}: "${item.from}" is not <provider>:<deployment>.`, { path: `batch[${i}].from` })
    if (seen.has(item.from)) throw new DatapubError('CONFIG_INVALID', `${source} lists ${item.from} twice.`, { path: `batch[${i}].from`, hint: 'Each deployment may appear once; a second entry would migrate it again.' })
    seen.add(item.from)
  })
  return items
}

/** Splits `provider:deployment` at the first colon (deployment ids may contain colons, provider ids may not). */
export function splitRef(ref: string): { provider: string; id: string } {
  const at = ref.indexOf(':')
  if (at <= 0 || at === ref.length - 1) throw new DatapubError('CONFIG_INVALID', `"${ref}" is not <provider>:<deployment>.`, { path: 'from', hint: 'Write it as e.g. heroku:my-app or now:dpl_123.' })
  return { provider: ref.slice(0, at), id: ref.slice(at + 1) }
}
