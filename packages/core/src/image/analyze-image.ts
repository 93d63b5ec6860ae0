import type { Readable } from 'node:stream'
import { analyzeLayers, type AnalyzeOptions } from './analyze-layers.js'
import type { ContainerEngine } from '../contract/container-engine.js'
import type { ImageReport } from './image-report.js'
import { readImageArchive } from './read-image-archive.js'

export interface AnalyzeImageOptions extends AnalyzeOptions {
  ref?: string
  /** gzip each uncompressed layer to estimate what a registry push uploads; default true. */
  estimateCompressed?: boolean
}

/** An image archive stream (`docker save`, OCI layout tar), or an engine and a reference to save. */
export type ImageSource = Readable | { engine: ContainerEngine; ref: string }

/**
 * Where an image's bytes go, without running it: per-layer sizes and instructions, largest
 * paths, overwritten and deleted files, dive's wasted bytes and efficiency, prunable leftovers.
 */
export async function analyzeImage(source: ImageSource, options: AnalyzeImageOptions = {}): Promise<ImageReport> {
  const stream = 'engine' in source ? await source.engine.saveImage(source.ref) : source
  const ref = options.ref ?? ('engine' in source ? source.ref : undefined)
  const archive = await readImageArchive(stream, { estimateCompressed: options.estimateCompressed ?? true })
  const report = analyzeLayers(archive.layers, archive.config, options)
  return {
    ...(ref === undefined ? {} : { ref }),
    format: archive.format,
    ...(archive.configDigest ? { imageId: archive.configDigest } : {}),
    ...report,
    warnings: [...archive.warnings, ...report.warnings],
  }
}
