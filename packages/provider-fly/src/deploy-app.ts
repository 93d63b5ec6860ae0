import { DatapubError, type DeployInput, type DeploymentResult } from '@datapub/core/kit'
import { ensureApp } from './ensure-app.js'
import { ensureIps } from './ensure-ips.js'
import { ensureVolume } from './ensure-volume.js'
import type { FlyRuntime } from './fly-runtime.js'
import { machineConfig } from './machine-config.js'
import { listMachines } from './machines.js'
import { fetchLogTail } from './fetch-log-tail.js'
import { replaceMachines } from './replace-machines.js'
import { setSecrets } from './set-secrets.js'

/**
 * One publish: the app (created if missing), app secrets, the volume, new machines on the
 * pushed image that replace the old ones once healthy, and public IPv6 + shared IPv4.
 */
export async function deployApp(rt: FlyRuntime, input: DeployInput): Promise<DeploymentResult> {
  const name = input.name
  const image = pinnedImage(input)
  const { options, api, emit } = rt
  const signal = input.signal
  await ensureApp(api, name, options.org, emit, signal)
  const minSecretsVersion = await setSecrets(api, name, input.env, emit, signal)
  const current = await listMachines(api, name, signal)
  const volume = await ensureVolume(api, name, options, current, emit, signal)
  const previousImage = current[0]?.config?.image
  const config = machineConfig({ image, port: input.port, ...(volume === undefined ? {} : { volumeId: volume.id }), ...(previousImage === undefined ? {} : { previousImage }) }, options)
  emit({ type: 'deploy:status', state: 'deploying', message: `deploying ${image.slice(image.lastIndexOf('/') + 1)} to ${options.machines} machine${options.machines === 1 ? '' : 's'} of ${name}` })
  const machines = await replaceMachines(api, {
    app: name,
    config,
    count: options.machines,
    ...((volume?.region ?? options.region) === undefined ? {} : { region: volume?.region ?? options.region }),
    ...(minSecretsVersion === undefined ? {} : { minSecretsVersion }),
    current,
    ...(volume === undefined ? {} : { volumeId: volume.id }),
    timeoutMs: options.readyTimeout * 1000,
    pollMs: options.pollInterval,
    signal,
    emit,
    logTail: (machine) => fetchLogTail(rt.logs, name, machine, signal),
  })
  await ensureIps(api, name, options.org, emit, signal)
  const url = rt.url(name)
  emit({ type: 'deploy:status', state: 'ready', message: `${url} (${machines.map((m) => m.id).join(', ')})` })
  const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1]
  return {
    provider: 'fly',
    id: name,
    name,
    url,
    ...(digest === undefined ? {} : { imageDigest: digest }),
    machines: machines.map((m) => m.id),
    ...(machines[0]?.instance_id === undefined ? {} : { release: machines[0].instance_id }),
    ...(volume === undefined ? {} : { volume: volume.id }),
  }
}

/** Fly pulls from a registry: the artifact must have been pushed; pin it by digest so a moving tag never changes what runs. */
export function pinnedImage(input: DeployInput): string {
  const artifact = input.artifact
  if (artifact.kind !== 'image') {
    throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', `The fly provider deploys images, not a ${artifact.kind}.`, { fault: 'internal', provider: 'fly', hint: 'This is a pipeline bug: fly accepts images pushed to its push target.' })
  }
  const ref = artifact.ref
  const first = ref.split('/')[0] ?? ''
  if (!ref.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    throw new DatapubError('FLY_IMAGE_NOT_PUSHED', `Image ${ref} is not in a registry Fly can pull from.`, { fault: 'internal', provider: 'fly', hint: 'The push stage must run before deploy; it pushes to registry.fly.io/<app>.' })
  }
  if (ref.includes('@')) return ref
  if (artifact.digest !== undefined) return `${ref.replace(/:[^/:]+$/, '')}@${artifact.digest}`
  return ref
}
