import { DatapubError, type Emit } from '@datapub/core/kit'
import { app, type FlyApi } from './fly-api.js'
import type { FlyMachine, FlyVolume } from './fly-types.js'
import type { FlyOptions } from './options.js'

/**
 * The volume writable data lives on, as datasette-publish-fly does it: remount the one named
 * `--volume-name` when it exists (so later publishes keep the data), create it with
 * `--create-volume N` when it does not. A publish that names no volume keeps the one the app's
 * machines mount now: data never drops out of an app because a flag was left off.
 * Undefined when this publish needs no volume.
 */
export async function ensureVolume(api: FlyApi, name: string, options: FlyOptions, current: FlyMachine[], emit: Emit, signal: AbortSignal): Promise<FlyVolume | undefined> {
  const path = `${app(name)}/volumes`
  const { body } = await api.request<FlyVolume[]>({ method: 'GET', path, signal })
  const live = body.filter((v) => v.state !== 'destroyed' && v.state !== 'pending_destroy')
  const mountedIds = new Set(current.flatMap((m) => (m.config?.mounts ?? []).map((mount) => mount.volume)))
  const mounted = live.find((v) => mountedIds.has(v.id))
  const named = live.find((v) => v.name === options.volumeName && (options.region === undefined || v.region === options.region))
  const keep = mounted !== undefined && (options.createVolume === undefined || mounted.name === options.volumeName) ? mounted : named
  if (keep !== undefined) {
    emit({ type: 'deploy:status', state: 'volume', message: `remounting volume ${keep.name} (${keep.id}, ${keep.size_gb} GB, ${keep.region})` })
    return keep
  }
  if (options.createVolume === undefined) {
    if (options.createDb === undefined) return undefined
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
