import { randomBytes } from 'node:crypto'
import type { ContainerEngine, ContainerInfo, DeployInput, DeploymentResult, Emit } from '@datapub/core/kit'
import { DatapubError } from '@datapub/core/kit'
import { LABEL } from './labels.js'
import { freePort } from './free-port.js'
import { waitUntilHealthy } from './wait-until-healthy.js'
import type { LocalOptions } from './options.js'

/**
 * Starts the new container beside the old one, waits until it answers, and only then removes
 * older containers of the same deployment. If the new one fails it is removed and the old keeps
 * serving. With concurrent publishes to one name, the newest container wins and each publish
 * removes only containers older than its own.
 */
export async function deployContainer(engine: ContainerEngine, input: Pick<DeployInput, 'name' | 'artifact' | 'env' | 'port' | 'signal'>, options: LocalOptions, emit: Emit): Promise<DeploymentResult> {
  if (input.artifact.kind !== 'image') {
    throw new DatapubError('PROVIDER_OPERATION_UNSUPPORTED', `The local provider runs images, not a ${input.artifact.kind}.`, { fault: 'internal', provider: 'local' })
  }
  const networkMode = options.network === 'auto' ? ((await engine.hasNetwork('bridge')) ? 'bridge' : 'host') : options.network
  const previous = (await engine.listContainers({ [LABEL.deployment]: input.name })).filter((c) => c.running)
  const hostPort = networkMode === 'host' ? await pickHostPort(options, previous) : options.hostPort && !previous.some((c) => c.hostPort === options.hostPort) ? options.hostPort : 0
  const containerPort = networkMode === 'host' ? hostPort : input.port
  const newest = previous.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]

  emit({ type: 'deploy:status', state: 'starting', message: `starting a container from ${input.artifact.ref} (${networkMode} network)` })
  const container = await engine.runContainer({
    image: input.artifact.imageId ?? input.artifact.ref,
    name: `datapub-${input.name}-${randomBytes(4).toString('hex')}`,
    env: { ...input.env, PORT: String(containerPort) },
    labels: {
      [LABEL.deployment]: input.name,
      [LABEL.envNames]: Object.keys(input.env).sort().join(','),
      [LABEL.options]: JSON.stringify(options),
      ...(newest ? { [LABEL.previousImage]: newest.imageId } : {}),
      ...(networkMode === 'host' ? { [LABEL.port]: String(hostPort) } : {}),
    },
    networkMode,
    containerPort,
    ...(networkMode === 'bridge' && hostPort ? { hostPort } : {}),
  })
  const port = container.hostPort ?? hostPort
  const url = `http://${options.publicHost}:${port}/`
  try {
    emit({ type: 'deploy:status', state: 'waiting', message: `waiting for ${url} to answer` })
    await waitUntilHealthy(engine, container.id, { url, timeoutMs: options.healthTimeout * 1000, signal: input.signal })
  } catch (error) {
    const superseded = await supersededBy(engine, input.name, container, url, error)
    await engine.removeContainer(container.id).catch(() => undefined)
    throw superseded ?? error
  }
  for (const old of await olderThan(engine, input.name, container)) {
    emit({ type: 'deploy:status', state: 'replacing', message: `removing the previous container ${old.name}` })
    await engine.stopContainer(old.id, 5)
    await engine.removeContainer(old.id)
  }
  emit({ type: 'deploy:status', state: 'ready', message: url })
  return { provider: 'local', id: input.name, name: input.name, url, imageDigest: container.imageId, containerId: container.id }
}

/**
 * A newer publish of the same name that became healthy first removes this container while it is
 * still being waited on; the wait then sees it stop or vanish. That is not an unhealthy image:
 * only another publish removes our container, so "gone, and a newer one runs" is the sign.
 */
async function supersededBy(engine: ContainerEngine, name: string, mine: ContainerInfo, url: string, cause: unknown): Promise<DatapubError | undefined> {
  const gone = await engine.inspectContainer(mine.id).then(() => false, (e: unknown) => (e as { code?: string }).code === 'DEPLOYMENT_NOT_FOUND')
  if (!gone) return undefined
  const newer = (await engine.listContainers({ [LABEL.deployment]: name }).catch(() => [])).filter((c) => c.id !== mine.id && c.running && c.createdAt > mine.createdAt)
  if (newer.length === 0) return undefined
  return new DatapubError('DEPLOY_SUPERSEDED', `"${name}" was replaced by a newer publish of the same name before ${url} answered; ${newer[0]!.name} now serves it.`, {
    fault: 'user',
    provider: 'local',
    hint: 'Publishes to one name at the same time end with the newest one serving; publish again if yours should win.',
    cause,
    details: { url, current: newer[0]!.name },
  })
}

async function olderThan(engine: ContainerEngine, name: string, mine: ContainerInfo): Promise<ContainerInfo[]> {
  const all = await engine.listContainers({ [LABEL.deployment]: name })
  return all.filter((c) => c.id !== mine.id && c.createdAt < mine.createdAt)
}

async function pickHostPort(options: LocalOptions, previous: ContainerInfo[]): Promise<number> {
  if (options.hostPort !== undefined && !previous.some((c) => c.hostPort === options.hostPort)) return options.hostPort
  return freePort()
}
