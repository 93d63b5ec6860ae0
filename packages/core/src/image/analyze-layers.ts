import type { ImageReport, LayerReport, ParsedLayer, PathSize, PrunableFile, PrunableRule } from './image-report.js'
import { prunableRule } from './prunable-rule.js'

export interface ImageConfigSummary {
  architecture?: string
  os?: string
  history?: Array<{ created_by?: string; empty_layer?: boolean }>
}

export interface AnalyzeOptions {
  /** diff_ids of the base image's layers (e.g. the runtime image's RootFS.Layers): not the recipe's to prune. */
  baseDiffIds?: string[]
  /** How many largest paths to keep; default 20. */
  top?: number
}

interface Seen {
  size: number
  layer: number
  type: string
}

/**
 * The analysis proper, on already parsed layers: the final file system, what later layers
 * overwrote or deleted, and dive's efficiency and wasted bytes (reference 2.7, following
 * dive/filetree/efficiency.go: only leaf nodes of each layer's tree count; a whiteout of a
 * directory counts the bytes it deletes, a whiteout of a file counts 0, as dive does).
 */
export function analyzeLayers(layers: ParsedLayer[], config: ImageConfigSummary, options: AnalyzeOptions = {}): Omit<ImageReport, 'format'> {
  const top = options.top ?? 20
  const base = new Set(options.baseDiffIds ?? [])
  const stacked = new Map<string, Seen>()
  const efficiency = new Map<string, { cumulative: number; min: number; count: number }>()
  const overwritten = new Map<string, { bytes: number; layers: number[] }>()
  const deleted: ImageReport['deleted'] = []

  const removeUnder = (prefix: string, layer: number, alsoSelf: boolean, onlyLower: boolean) => {
    const self = stacked.get(prefix)
    if (alsoSelf && self) {
      if (self.type === 'file' && self.size > 0) deleted.push({ path: prefix, bytes: self.size, layer: self.layer, deletedIn: layer })
      stacked.delete(prefix)
    }
    const under = prefix === '' ? '' : `${prefix}/`
    for (const [path, seen] of stacked) {
      if (!path.startsWith(under) || (onlyLower && seen.layer >= layer)) continue
      if (seen.type === 'file' && seen.size > 0) deleted.push({ path, bytes: seen.size, layer: seen.layer, deletedIn: layer })
      stacked.delete(path)
    }
  }
  const sizeUnder = (prefix: string): number => {
    let total = 0
    for (const [path, seen] of stacked) if (path.startsWith(`${prefix}/`)) total += seen.size
    return total
  }

  const layerBytes: number[] = []
  for (const [index, layer] of layers.entries()) {
    const parents = new Set<string>()
    for (const entry of layer.entries) {
      for (let at = entry.path.lastIndexOf('/'); at > 0; at = entry.path.lastIndexOf('/', at - 1)) parents.add(entry.path.slice(0, at))
    }
    for (const entry of layer.entries) {
      if (entry.opaque || parents.has(entry.path)) continue
      let size = entry.size
      // Directories may exist only implicitly (as parents of files), so anything but a file is sized by its contents.
      if (entry.whiteout) size = stacked.get(entry.path)?.type === 'file' ? 0 : sizeUnder(entry.path)
      const data = efficiency.get(entry.path) ?? { cumulative: 0, min: -1, count: 0 }
      data.cumulative += size
      data.min = data.min < 0 || size < data.min ? size : data.min
      data.count += 1
      efficiency.set(entry.path, data)
    }
    for (const entry of layer.entries) {
      if (entry.whiteout) removeUnder(entry.path, index, true, false)
      else if (entry.opaque) removeUnder(entry.path, index, false, true)
    }
    let bytes = 0
    for (const entry of layer.entries) {
      if (entry.whiteout || entry.opaque) continue
      if (entry.type === 'file') bytes += entry.size
      const previous = stacked.get(entry.path)
      if (previous && previous.type === 'file' && entry.type !== 'directory') {
        const record = overwritten.get(entry.path) ?? { bytes: 0, layers: [] }
        record.bytes += previous.size
        record.layers.push(previous.layer)
        overwritten.set(entry.path, record)
      }
      stacked.set(entry.path, { size: entry.type === 'file' ? entry.size : 0, layer: index, type: entry.type })
    }
    layerBytes.push(bytes)
  }

  let minimum = 0
  let discovered = 0
  let wastedBytes = 0
  for (const data of efficiency.values()) {
    minimum += data.min
    discovered += data.cumulative
    if (data.count >= 2) wastedBytes += data.cumulative
  }
  const userBytes = layerBytes.slice(1).reduce((a, b) => a + b, 0)

  const files: PathSize[] = []
  const directories = new Map<string, number>()
  for (const [path, seen] of stacked) {
    if (seen.type !== 'file') continue
    files.push({ path: `/${path}`, bytes: seen.size, layer: seen.layer })
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const dir = path.slice(0, at)
      directories.set(dir, (directories.get(dir) ?? 0) + seen.size)
    }
  }
  const bySize = (a: PathSize, b: PathSize) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1)
  files.sort(bySize)

  const isBase = (i: number) => base.has(layers[i]!.diffId)
  const prunable: PrunableFile[] = []
  for (const file of files) {
    const rule = prunableRule(file.path.slice(1))
    if (rule) prunable.push({ path: file.path, bytes: file.bytes, layer: file.layer!, rule })
  }
  const byRule = new Map<PrunableRule, { files: number; bytes: number }>()
  for (const p of prunable) {
    if (isBase(p.layer)) continue
    const r = byRule.get(p.rule) ?? { files: 0, bytes: 0 }
    r.files += 1
    r.bytes += p.bytes
    byRule.set(p.rule, r)
  }
  const userPrunable = prunable.filter((p) => !isBase(p.layer))
  const basePrunable = prunable.filter((p) => isBase(p.layer))

  const history = (config.history ?? []).filter((h) => !h.empty_layer)
  // Imported or squashed bases can carry fewer history entries than layers: pair from the top, where the recipe's layers are.
  const offset = history.length - layers.length
  const reports: LayerReport[] = layers.map((layer, index) => {
    const createdBy = history[index + offset]?.created_by
    return {
      index,
      diffId: layer.diffId,
      bytes: layerBytes[index]!,
      tarBytes: layer.tarBytes,
      compressedBytes: layer.compressedBytes,
      compressedEstimated: layer.compressedEstimated,
      files: layer.entries.filter((e) => e.type === 'file' && !e.whiteout).length,
      ...(createdBy === undefined ? {} : { createdBy: createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').trim() }),
      base: isBase(index),
      largestFiles: files.filter((f) => f.layer === index).slice(0, 5),
    }
  })

  return {
    ...(config.architecture ? { architecture: config.architecture } : {}),
    ...(config.os ? { os: config.os } : {}),
    totalBytes: layerBytes.reduce((a, b) => a + b, 0),
    compressedBytes: layers.reduce((a, l) => a + l.compressedBytes, 0),
    layers: reports,
    largestDirectories: [...directories].map(([path, bytes]) => ({ path: `/${path}`, bytes })).sort(bySize).slice(0, top),
    largestFiles: files.slice(0, top),
    overwritten: [...overwritten].map(([path, r]) => ({ path: `/${path}`, ...r })).sort((a, b) => b.bytes - a.bytes),
    deleted: deleted.map((d) => ({ ...d, path: `/${d.path}` })).sort((a, b) => b.bytes - a.bytes),
    wastedBytes,
    userBytes,
    wastedUserPercent: userBytes === 0 ? 0 : wastedBytes / userBytes,
    efficiency: discovered === 0 ? 1 : minimum / discovered,
    prunable: {
      files: userPrunable.length,
      bytes: userPrunable.reduce((a, p) => a + p.bytes, 0),
      baseFiles: basePrunable.length,
      baseBytes: basePrunable.reduce((a, p) => a + p.bytes, 0),
      byRule: [...byRule].map(([rule, r]) => ({ rule, ...r })).sort((a, b) => b.bytes - a.bytes),
      paths: prunable.slice(0, top),
    },
    warnings: [],
  }
}
