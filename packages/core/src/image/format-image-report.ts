import type { ImageReport } from './image-report.js'

const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1).padStart(8)

/** The report as text for a terminal: layers, then the seed's `du -m | sort -n` view, then waste and leftovers. */
export function formatImageReport(report: ImageReport, top = 10): string {
  const out: string[] = []
  out.push(`${report.ref ?? report.imageId ?? 'image'}  ${(report.totalBytes / 1_000_000).toFixed(1)} MB, ${(report.compressedBytes / 1_000_000).toFixed(1)} MB compressed, ${report.layers.length} layers`)
  out.push(`efficiency ${(report.efficiency * 100).toFixed(2)} %, wasted ${(report.wastedBytes / 1_000_000).toFixed(2)} MB (${(report.wastedUserPercent * 100).toFixed(1)} % of the layers above the first)`, '')
  out.push('      MB   gzip MB  layer  created by')
  for (const l of report.layers) {
    out.push(`${mb(l.bytes)}  ${mb(l.compressedBytes)}  ${String(l.index).padStart(5)}  ${l.base ? '[base] ' : ''}${(l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 100)}`)
  }
  out.push('', 'largest directories (du -m | sort -n)')
  for (const d of [...report.largestDirectories.slice(0, top)].reverse()) out.push(`${mb(d.bytes)}  ${d.path}`)
  out.push('', 'largest files')
  for (const f of report.largestFiles.slice(0, top)) out.push(`${mb(f.bytes)}  ${f.path}  (layer ${f.layer})`)
  if (report.overwritten.length + report.deleted.length > 0) {
    out.push('', 'overwritten or deleted by a later layer (still shipped)')
    for (const o of report.overwritten.slice(0, top)) out.push(`${mb(o.bytes)}  ${o.path}  overwritten (was in layer ${o.layers.join(', ')})`)
    for (const d of report.deleted.slice(0, top)) out.push(`${mb(d.bytes)}  ${d.path}  deleted in layer ${d.deletedIn} (added in ${d.layer})`)
  }
  out.push('', `prunable build leftovers: ${report.prunable.files} files, ${(report.prunable.bytes / 1_000_000).toFixed(2)} MB${report.prunable.baseFiles ? ` (+ ${report.prunable.baseFiles} files in base layers)` : ''}`)
  for (const r of report.prunable.byRule) out.push(`${mb(r.bytes)}  ${r.rule} (${r.files} files)`)
  for (const w of report.warnings) out.push(`warning: ${w}`)
  return `${out.join('\n')}\n`
}
