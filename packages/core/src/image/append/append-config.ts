import type { ImageConfig } from '../../registry/image-manifest.js'

export interface AppendConfigInput {
  cmd: string[]
  port: number
  workingDir: string
  layers: Array<{ diffId: string; createdBy: string }>
  /** RFC 3339; fixed so two builds of the same inputs give the same config digest. */
  created: string
}

/**
 * The base config with datapub's layers stacked on: Cmd and PORT set, the port exposed,
 * rootfs.diff_ids and history extended. Everything else (PATH, user, labels) is the base's.
 */
export function appendConfig(base: ImageConfig, input: AppendConfigInput): ImageConfig {
  const config = structuredClone(base)
  const inner = { ...(config.config ?? {}) }
  const env = (inner.Env ?? []).filter((e) => !e.startsWith('PORT='))
  env.push(`PORT=${input.port}`)
  inner.Env = env
  inner.Cmd = input.cmd
  inner.WorkingDir = input.workingDir
  inner.ExposedPorts = { ...(inner.ExposedPorts ?? {}), [`${input.port}/tcp`]: {} }
  config.config = inner
  config.created = input.created
  config.rootfs = { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...input.layers.map((l) => l.diffId)] }
  config.history = [
    ...(base.history ?? []),
    ...input.layers.map((l) => ({ created: input.created, created_by: l.createdBy, comment: 'datapub append' })),
  ]
  // Builder-specific fields of the base describe how the base was made, not this image.
  delete config.container
  delete config.container_config
  return config
}
