import { DatapubError } from '../../errors/datapub-error.js'
import type { Descriptor, ImageConfig } from '../../registry/image-manifest.js'
import type { ContainerEngine } from '../../contract/container-engine.js'
import { stackAppLayers, type AppendedLayer, type StackInput } from './stack-app-layers.js'

export interface EngineAppendInput extends Omit<StackInput, 'format'> {
  /** The engine holding the runtime image, and its reference there. */
  engine: ContainerEngine
  ref: string
}

export interface EngineAppendedImage {
  /** The runtime image in the engine; its layers never leave the engine. */
  base: { ref: string; diffIds: string[] }
  layers: AppendedLayer[]
  config: { bytes: Buffer; descriptor: Descriptor; json: ImageConfig }
  /** The bytes the new image adds on top of the base (the new layers and the config). */
  newBytes: number
}

/**
 * The append builder against the engine's own store: the runtime image's config comes from the
 * engine (no layer is exported), the data layers are written here. Loaded with
 * writeMissingLayersArchive, only the new layers cross to the engine.
 */
export async function buildEngineAppendImage(input: EngineAppendInput): Promise<EngineAppendedImage> {
  if (input.engine.imageConfig === undefined) {
    throw new DatapubError('INTERNAL', `${input.engine.endpoint} cannot report image configs, so the append builder cannot stack on its images.`, { fault: 'internal' })
  }
  const baseConfig = await input.engine.imageConfig(input.ref)
  // The archive crosses a local socket and the engine unpacks it at once: compressing would
  // only cost time on both sides (level 0 keeps the gzip framing docker load expects).
  const { layers, config } = await stackAppLayers(baseConfig, { compressionLevel: 0, ...input, format: 'docker' })
  return {
    base: { ref: input.ref, diffIds: baseConfig.rootfs.diff_ids },
    layers,
    config,
    newBytes: layers.reduce((sum, l) => sum + l.size, 0) + config.bytes.length,
  }
}
