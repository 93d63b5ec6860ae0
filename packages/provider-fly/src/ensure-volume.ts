import { DatapubError, type Emit } from '@datapub/core/kit'
import { app, type FlyApi } from './fly-api.js'
import type { FlyVolume } from './fly-types.js'
import type { FlyOptions } from './options.js'

/**
 * The volume writable data lives on, as datasette-publish-fly does it: remount the one named
 * `--volume-name` when it exists (so later publishes keep the data), create it with
 * `--create-volume N` when it does not. Undefined when this publish needs no volume.
 */
export async function ensureVolume(api: FlyApi, name: string, options: FlyOptions, emit: Emit, signal: AbortSignal): Promise<FlyVolume | undefined> {
  const path = `${app(name)}/volumes`
  const { body } = await api.request<FlyVolume[]>({ method: 'GET', path, signal })
  const existing = body.filter((v) => v.name === options.volumeName && v.state !== 'destroyed' && v.state !== 'pending_destroy')
  const wanted = options.createVolume !== undefined || options.createDb !== undefined
  const inRegion = existing.find((v) => options.region === undefined || v.region === options.region)
  if (inRegion !== undefined) {
    emit({ type: 'deploy:status', state: 'volume', message: `remounting volume ${inRegion.name} (${inRegion.id}, ${inRegion.size_gb} GB, ${inRegion.region})` })
    return inRegion
  }
  if (options.createVolume === undefined) {
    if (!wanted) return undefined
    throw new DatapubError('FLY_VOLUME_MISSING', `--create-db needs a volume, and app ${name} has no volume named ${options.volumeName}${options.region === undefined ? '' : ` in ${options.region}`}.`, {
      fault: 'user',
      provider: 'fly',
      path: 'createVolume',
      hint: 'Pass --create-volume N (GB) with --region on the first publish; later publishes remount it.',
    })
  }
  emit({ type: 'deploy:status', state: 'volume', message: `creating a ${options.createVolume} GB volume ${options.volumeName} in ${options.region}` })
  const { body: volume } = await api.request<FlyVolume>({ method: 'POST', path, json: { name: options.volumeName, region: options.region, size_gb: options.createVolume }, signal })
  return volume
}
