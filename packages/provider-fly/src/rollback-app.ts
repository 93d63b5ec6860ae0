import { DatapubError, type DeploymentResult } from '@datapub/core/kit'
import type { FlyRuntime } from './fly-runtime.js'
import { META } from './fly-types.js'
import { withImage } from './machine-config.js'
import { listMachines } from './machines.js'
import { fetchLogTail } from './fetch-log-tail.js'
import { replaceMachines } from './replace-machines.js'
import { getApp } from './ensure-app.js'

/**
 * Back to the previous image: each publish records the image it replaced in the machines'
 * metadata, and a rollback deploys that image with the current machine config (volume, size,
 * services), through the same healthy-before-replace path as a publish.
 */
export async function rollbackApp(rt: FlyRuntime, name: string, signal: AbortSignal): Promise<DeploymentResult> {
  const { api, emit, options } = rt
  await getApp(api, name, signal)
  const current = await listMachines(api, name, signal)
  const config = current[0]?.config
  const previous = config?.metadata?.[META.previousImage]
  if (config === undefined || previous === undefined || previous === '') {
    throw new DatapubError('FLY_NO_PREVIOUS_IMAGE', `Fly app ${name} has no earlier image recorded to roll back to.`, { fault: 'user', provider: 'fly', hint: 'Rollback needs an earlier publish of the same app through datapub; publish the earlier data again instead.' })
  }
  emit({ type: 'deploy:status', state: 'rollback', message: `rolling ${name} back to ${previous.slice(previous.lastIndexOf('/') + 1)}` })
  const volumeId = config.mounts?.[0]?.volume
  const machines = await replaceMachines(api, {
    app: name,
    config: withImage(config, previous),
    count: Math.max(1, current.length),
    ...(current[0]?.region === undefined ? {} : { region: current[0].region }),
    current,
    ...(volumeId === undefined ? {} : { volumeId }),
    timeoutMs: options.readyTimeout * 1000,
    pollMs: options.pollInterval,
    signal,
    emit,
    logTail: (machine) => fetchLogTail(rt.logs, name, machine, signal),
  })
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(previous)?.[1]
  return { provider: 'fly', id: name, name, url: rt.url(name), ...(digest === undefined ? {} : { imageDigest: digest }), machines: machines.map((m) => m.id), rolledBackTo: previous }
}
