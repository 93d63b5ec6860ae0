import { DatapubError } from '../errors/datapub-error.js'
import type { Limit, ProviderLimits } from '../contract/provider-types.js'
import type { ImageReport, PathSize } from './image-report.js'

export type BudgetLimit = 'imageBytes' | 'fileBytes' | 'bundleBytes'

export interface BudgetFinding {
  limit: BudgetLimit
  /** The host's limit and where it is documented. */
  allowed: number
  source: string
  actual: number
  over: number
  /** What pushes it over: layers (largest first) and paths. */
  layers: Array<{ index: number; bytes: number; createdBy?: string; base: boolean }>
  paths: PathSize[]
  /** Changes that would bring it under, each with the bytes it saves; `enough` when it alone suffices. */
  suggestions: Array<{ change: string; saves: number; enough: boolean }>
}

const MB = 1_000_000
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`

/**
 * Checks an image report against a host's limits. `imageBytes` is the uncompressed image size
 * (what `docker images` shows and Now v1 limited), `bundleBytes` the compressed upload, and
 * `fileBytes` every single file. Each finding says what to change, in bytes saved.
 */
export function checkBudget(report: ImageReport, limits: ProviderLimits): BudgetFinding[] {
  const findings: BudgetFinding[] = []
  const userLayers = report.layers.filter((l) => !l.base).sort((a, b) => b.bytes - a.bytes)
  const layerSummary = (list: typeof report.layers) =>
    list.map((l) => ({ index: l.index, bytes: l.bytes, ...(l.createdBy === undefined ? {} : { createdBy: l.createdBy }), base: l.base }))
  const userFiles = report.largestFiles.filter((f) => f.layer === undefined || !report.layers[f.layer]?.base)

  const sizeFinding = (limit: 'imageBytes' | 'bundleBytes', bound: Limit, actual: number, ratio: number) => {
    const over = actual - bound.value
    const suggestions: BudgetFinding['suggestions'] = []
    const add = (change: string, saves: number) => {
      const scaled = Math.round(saves * ratio)
      if (scaled > 0) suggestions.push({ change, saves: scaled, enough: scaled >= over })
    }
    add(`remove build leftovers (${report.prunable.byRule.map((r) => r.rule).join(', ')}) from the recipe's layers`, report.prunable.bytes)
    add('stop overwriting and deleting files in later layers (wasted bytes)', report.wastedBytes)
    const baseBytes = report.layers.filter((l) => l.base).reduce((a, l) => a + l.bytes, 0)
    add('use a smaller runtime base image (--runtime-image)', baseBytes)
    // The fewest largest files of the recipe's layers that together cover the excess.
    let covered = 0
    const drop: PathSize[] = []
    for (const file of userFiles) {
      if (covered * ratio >= over) break
      drop.push(file)
      covered += file.bytes
    }
    if (drop.length > 0) add(`leave out or shrink ${drop.map((f) => f.path).join(', ')}`, covered)
    findings.push({ limit, allowed: bound.value, source: bound.source, actual, over, layers: layerSummary(userLayers), paths: userFiles.slice(0, 10), suggestions })
  }

  if (limits.imageBytes && report.totalBytes > limits.imageBytes.value) sizeFinding('imageBytes', limits.imageBytes, report.totalBytes, 1)
  if (limits.bundleBytes && report.compressedBytes > limits.bundleBytes.value) {
    sizeFinding('bundleBytes', limits.bundleBytes, report.compressedBytes, report.totalBytes === 0 ? 1 : report.compressedBytes / report.totalBytes)
  }
  if (limits.fileBytes) {
    const bound = limits.fileBytes
    const big = report.largestFiles.filter((f) => f.bytes > bound.value)
    if (big.length > 0) {
      const layers = report.layers.filter((l) => big.some((f) => f.layer === l.index))
      findings.push({
        limit: 'fileBytes',
        allowed: bound.value,
        source: bound.source,
        actual: big[0]!.bytes,
        over: big[0]!.bytes - bound.value,
        layers: layerSummary(layers),
        paths: big,
        suggestions: big.map((f) => ({
          change: /\.(?:db|sqlite3?)$/.test(f.path) ? `split ${f.path} into databases under ${mb(bound.value)} each, or drop tables/columns from it` : `leave out or shrink ${f.path}`,
          saves: f.bytes - bound.value,
          enough: big.length === 1,
        })),
      })
    }
  }
  return findings
}

/** Throws IMAGE_OVER_BUDGET naming each exceeded limit, the layers and paths behind it and what would fix it. */
export function assertWithinBudget(report: ImageReport, limits: ProviderLimits, provider?: string): void {
  const findings = checkBudget(report, limits)
  if (findings.length === 0) return
  const lines = findings.map((f) => {
    const head = `${f.limit}: ${mb(f.actual)} is ${mb(f.over)} over the limit of ${mb(f.allowed)} (${f.source})`
    const layers = f.layers.slice(0, 3).map((l) => `layer ${l.index} ${mb(l.bytes)}${l.createdBy ? ` from ${l.createdBy.slice(0, 80)}` : ''}`)
    const paths = f.paths.slice(0, 5).map((p) => `${p.path} ${mb(p.bytes)}`)
    return [head, layers.length ? `  largest layers: ${layers.join('; ')}` : '', paths.length ? `  largest paths: ${paths.join('; ')}` : ''].filter(Boolean).join('\n')
  })
  const best = findings.flatMap((f) => f.suggestions).filter((s) => s.enough)
  throw new DatapubError('IMAGE_OVER_BUDGET', `The image is over ${provider ? `${provider}'s` : 'the host\'s'} limits:\n${lines.join('\n')}`, {
    ...(provider ? { provider } : {}),
    hint: best.length > 0 ? `Any of these alone brings it under: ${best.map((s) => `${s.change} (saves ${mb(s.saves)})`).join('; ')}.` : 'No single change is enough; combine the suggestions in details.findings.',
    details: { findings },
  })
}
